# The bootstrap, planned against the real AWS provider from the local mirror (mocked answers
# only): the three roles trust exactly the workflows and environments the README names, the
# longest owner id still makes a valid bucket and role names, and the validation records exist.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/admin", user_id = "AIDAADMINADMINADMIN" }
  }

  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }

  mock_resource "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
  }

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/kubecdn-mock" }
  }

  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::kubecdn-mock-state" }
  }

  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"
      domain_validation_options = [
        { domain_name = "cdn.example.com", resource_record_name = "_0123456789abcdef0123456789abcdef.cdn.example.com.", resource_record_type = "CNAME", resource_record_value = "_fedcba9876543210fedcba9876543210.acm-validations.aws." },
        { domain_name = "static.example.com", resource_record_name = "_abcdef0123456789abcdef0123456789.static.example.com.", resource_record_type = "CNAME", resource_record_value = "_0123456789fedcba0123456789fedcba.acm-validations.aws." },
      ]
    }
  }
}

variables {
  owner_id          = "kubecdn-example"
  github_repository = "acme/cdn"
  zone_id           = "Z04012345EXAMPLE0001"
  hostnames         = ["cdn.example.com", "static.example.com"]
}

# Applied (with the mocks), so that the OIDC provider's ARN in the policies is known.
run "roles_trust_only_their_workflows" {
  assert {
    condition     = jsondecode(aws_iam_role.this["plan"].assume_role_policy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"] == ["repo:acme/cdn:pull_request:job_workflow_ref:acme/cdn/.github/workflows/plan.yml@*"]
    error_message = "The plan role trusts plan.yml on pull requests."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this["apply"].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == ["repo:acme/cdn:environment:production:job_workflow_ref:acme/cdn/.github/workflows/apply.yml@refs/heads/main"]
    error_message = "The apply role trusts apply.yml on main in the production environment, and nothing else."
  }

  assert {
    condition = toset(jsondecode(aws_iam_role.this["destroy"].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]) == toset([
      "repo:acme/cdn:environment:production-destroy:job_workflow_ref:acme/cdn/.github/workflows/apply.yml@refs/heads/main",
      "repo:acme/cdn:environment:production-destroy:job_workflow_ref:acme/cdn/.github/workflows/teardown.yml@refs/heads/main",
    ])
    error_message = "The destroy role trusts apply.yml and teardown.yml on main in the production-destroy environment, and nothing else."
  }

  assert {
    condition     = toset(keys(aws_iam_role.this)) == toset(["plan", "apply", "destroy"]) && aws_iam_role.this["destroy"].name == "kubecdn-example-kubecdn-destroy"
    error_message = "Three roles, named <owner_id>-kubecdn-<role>, as the region stacks look them up."
  }
}

run "validation_records_for_every_hostname" {
  command = plan

  assert {
    condition     = toset(keys(aws_route53_record.validation)) == toset(["cdn.example.com", "static.example.com"]) && aws_route53_record.validation["cdn.example.com"].zone_id == "Z04012345EXAMPLE0001"
    error_message = "One validation record a hostname, in the CDN's zone."
  }
}

run "longest_owner_id" {
  command = plan

  variables {
    owner_id = "kubecdn-owner-id-of-36-characters-xy"
  }

  assert {
    condition     = length(aws_s3_bucket.state.bucket) == 63
    error_message = "The longest owner id gives a bucket name of exactly S3's 63 characters."
  }
}

run "owner_id_too_long" {
  command = plan

  variables {
    owner_id = "kubecdn-owner-id-of-37-characters-xyz"
  }

  expect_failures = [var.owner_id]
}

run "only_the_destroy_role_destroys" {
  command = plan

  assert {
    condition     = toset(jsondecode(aws_iam_role_policy.apply_never_destroys.policy).Statement[0].Action) == toset(["eks:DeleteCluster", "ec2:DeleteVpc", "ec2:DeleteSubnet", "ec2:DeleteNatGateway", "s3:DeleteBucket"]) && jsondecode(aws_iam_role_policy.apply_never_destroys.policy).Statement[0].Effect == "Deny" && aws_iam_role_policy.apply_never_destroys.role == aws_iam_role.this["apply"].name
    error_message = "The apply role is denied the deletes a destroy makes, whatever AdministratorAccess allows."
  }
}

run "github_repository_not_owner_slash_name" {
  command = plan

  variables {
    github_repository = "acme"
  }

  expect_failures = [var.github_repository]
}

run "zone_id_not_a_hosted_zone_id" {
  command = plan

  variables {
    zone_id = "example.com"
  }

  expect_failures = [var.zone_id]
}

run "no_hostnames" {
  command = plan

  variables {
    hostnames = []
  }

  expect_failures = [var.hostnames]
}
