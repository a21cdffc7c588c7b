# One-time bootstrap, applied by hand with an administrator's credentials: the bucket every region's
# state lives in, the roles GitHub Actions assume through OIDC (no stored keys), and the DNS
# records that validate every region's certificate.

provider "aws" {
  region = var.state_region

  default_tags {
    tags = { "kubecdn/owner" = var.owner_id, "managed-by" = "kubecdn-bootstrap" }
  }
}

data "aws_caller_identity" "this" {}

################################################################################
# State bucket
################################################################################

# <owner_id>-kubecdn-state-<account id>: 36 + 15 + 12 = 63 characters, S3's limit.
resource "aws_s3_bucket" "state" {
  bucket = "${var.owner_id}-kubecdn-state-${data.aws_caller_identity.this.account_id}"
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket = aws_s3_bucket.state.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

################################################################################
# GitHub OIDC
################################################################################

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

locals {
  oidc_provider_arn = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : "arn:aws:iam::${data.aws_caller_identity.this.account_id}:oidc-provider/token.actions.githubusercontent.com"
}

locals {
  repo      = var.github_repository
  workflows = "${var.github_repository}/.github/workflows"
  # GitHub's OIDC subject, customised to carry the repository, the context and the workflow that
  # runs the job (include_claim_keys repo, context, job_workflow_ref; see the README): a role
  # trusts a named workflow on main in a named environment, not any job that reaches it.
  subjects = {
    # Pull-request plans, from plan.yml on any pull request (read-only).
    plan = { test = "StringLike", values = ["repo:${local.repo}:pull_request:job_workflow_ref:${local.workflows}/plan.yml@*"] }
    # Applies: apply.yml on main, in the apply environment.
    apply = { test = "StringEquals", values = ["repo:${local.repo}:environment:${var.apply_environment}:job_workflow_ref:${local.workflows}/apply.yml@refs/heads/main"] }
    # Destroys and teardowns: apply.yml or teardown.yml on main, in the destroy environment, whose
    # required reviewers GitHub enforces; IAM enforces that no other job gets this role.
    destroy = {
      test = "StringEquals"
      values = [
        "repo:${local.repo}:environment:${var.destroy_environment}:job_workflow_ref:${local.workflows}/apply.yml@refs/heads/main",
        "repo:${local.repo}:environment:${var.destroy_environment}:job_workflow_ref:${local.workflows}/teardown.yml@refs/heads/main",
      ]
    }
  }
}

# Written out rather than built by a data source, so that the tests read the very policy IAM gets.
locals {
  trust = {
    for role, subject in local.subjects : role => {
      Version = "2012-10-17"
      Statement = [{
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = local.oidc_provider_arn }
        Condition = {
          for test in distinct(["StringEquals", subject.test]) : test => merge(
            test == "StringEquals" ? tomap({ "token.actions.githubusercontent.com:aud" = ["sts.amazonaws.com"] }) : tomap({}),
            test == subject.test ? tomap({ "token.actions.githubusercontent.com:sub" = subject.values }) : tomap({}),
          )
        }
      }]
    }
  }
}

# <owner_id>-kubecdn-<role>: at most 36 + 15 = 51 characters of IAM's 64. The region stacks find
# the apply and destroy roles by these names to give them access to their clusters.
resource "aws_iam_role" "this" {
  for_each = local.trust

  name               = "${var.owner_id}-kubecdn-${each.key}"
  assume_role_policy = jsonencode(each.value)
}

# Plans read everything they refresh, and the state; they write only their state lock file.
resource "aws_iam_role_policy_attachment" "plan_read_only" {
  role       = aws_iam_role.this["plan"].name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

# Applies and destroys build and remove whole regions: VPCs, clusters, IAM roles, certificates.
resource "aws_iam_role_policy_attachment" "admin" {
  for_each = toset(["apply", "destroy"])

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

# AdministratorAccess lets the apply role delete as much as the destroy role, so IAM itself keeps
# the destroys to the destroy role (and its reviewed environment): an explicit Deny wins over any
# Allow. It covers what tearing down a region deletes first and cannot be undone (the cluster, the
# VPC, its subnets and NAT gateways, buckets), and the apply role's changing this very policy.
# An apply that would replace one of these (a changed vpc_cidr, fewer zones) fails instead: such a
# change goes through a destroy of the region and a fresh apply.
locals {
  destroy_only_actions = ["eks:DeleteCluster", "ec2:DeleteVpc", "ec2:DeleteSubnet", "ec2:DeleteNatGateway", "s3:DeleteBucket"]
}

resource "aws_iam_role_policy" "apply_never_destroys" {
  name = "kubecdn-apply-never-destroys"
  role = aws_iam_role.this["apply"].name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "DestroysAreTheDestroyRoles", Effect = "Deny", Action = local.destroy_only_actions, Resource = "*" },
      {
        Sid      = "KeepThisDeny"
        Effect   = "Deny"
        Action   = ["iam:DeleteRolePolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole"]
        Resource = aws_iam_role.this["apply"].arn
      },
    ]
  })
}

data "aws_iam_policy_document" "state" {
  for_each = aws_iam_role.this

  statement {
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }

  statement {
    actions   = each.key == "plan" ? ["s3:GetObject"] : ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/${var.owner_id}/*"]
  }

  statement {
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/${var.owner_id}/*.tflock"]
  }
}

resource "aws_iam_role_policy" "state" {
  for_each = aws_iam_role.this

  name   = "kubecdn-state"
  role   = each.value.name
  policy = data.aws_iam_policy_document.state[each.key].json
}

################################################################################
# Certificate validation records
################################################################################

# ACM validates a certificate for a name by one CNAME record, the same for every certificate of
# that name in this account, whatever its region. Every region's stack requests its own
# certificate for the CDN's hostnames and waits for these records; they live here, because
# destroying a region must not take away the records every other region's renewals need.
# Their names (_<32 hex digits>.<hostname>) can never be one sync-dns manages: it only touches
# the hostnames' A and AAAA records and its own _kubecdn-a.<hostname> TXT records.
resource "aws_acm_certificate" "validation" {
  domain_name               = var.hostnames[0]
  subject_alternative_names = slice(var.hostnames, 1, length(var.hostnames))
  validation_method         = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  validation_options = { for o in aws_acm_certificate.validation.domain_validation_options : o.domain_name => o }
}

# Keyed by hostname, which is known before ACM answers, so that the records can be planned.
resource "aws_route53_record" "validation" {
  for_each = toset(var.hostnames)

  zone_id = var.zone_id
  name    = local.validation_options[each.key].resource_record_name
  type    = local.validation_options[each.key].resource_record_type
  ttl     = 300
  records = [local.validation_options[each.key].resource_record_value]
}

resource "aws_acm_certificate_validation" "validation" {
  certificate_arn         = aws_acm_certificate.validation.arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}
