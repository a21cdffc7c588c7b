# The purge role, planned against the real AWS provider from the local mirror (mocked answers
# only): it trusts only purge.yml on main in the purge environment, and may only describe the
# project's clusters; what it may do inside them is manifests/base/purge-rbac.yaml.

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
      arn                       = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"
      domain_validation_options = [{ domain_name = "cdn.example.com", resource_record_name = "_0123456789abcdef0123456789abcdef.cdn.example.com.", resource_record_type = "CNAME", resource_record_value = "_fedcba9876543210fedcba9876543210.acm-validations.aws." }]
    }
  }
}

variables {
  owner_id          = "kubecdn-example"
  github_repository = "acme/cdn"
  zone_id           = "Z04012345EXAMPLE0001"
  hostnames         = ["cdn.example.com"]
}

# Applied (with the mocks), so that the OIDC provider's ARN in the trust policy is known.
run "purge_role_trusts_purge_yml_and_only_describes_clusters" {
  assert {
    condition     = aws_iam_role.purge.name == "kubecdn-example-kubecdn-purge"
    error_message = "The purge role is named <owner_id>-kubecdn-purge, as the region stacks look it up."
  }

  assert {
    condition = jsondecode(aws_iam_role.purge.assume_role_policy).Statement[0].Condition == {
      StringEquals = {
        "token.actions.githubusercontent.com:aud" = ["sts.amazonaws.com"]
        "token.actions.githubusercontent.com:sub" = ["repo:acme/cdn:environment:purge:job_workflow_ref:acme/cdn/.github/workflows/purge.yml@refs/heads/main"]
      }
    }
    error_message = "The purge role trusts purge.yml on main in the purge environment, for STS, and nothing else."
  }

  assert {
    condition     = length(jsondecode(aws_iam_role.purge.assume_role_policy).Statement) == 1
    error_message = "The purge role's trust has one statement."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.purge.policy).Statement == [{
      Effect   = "Allow"
      Action   = ["eks:DescribeCluster"]
      Resource = ["arn:aws:eks:*:123456789012:cluster/kubecdn-example-*"]
    }]
    error_message = "The purge role's one permission is eks:DescribeCluster on the project's clusters."
  }

  assert {
    condition     = aws_iam_role_policy.purge.role == aws_iam_role.purge.id && length([for p in aws_iam_role_policy_attachment.admin : p if p.role == aws_iam_role.purge.name]) == 0
    error_message = "The purge role has its own policy and no managed policy attached."
  }
}
