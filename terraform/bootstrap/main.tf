# One-time bootstrap, applied by hand with an administrator's credentials: the bucket every region's
# state lives in, and the roles GitHub Actions assume through OIDC (no stored keys).

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

data "aws_iam_policy_document" "trust" {
  for_each = {
    # Plans run on pull requests; applies only in the apply environment, destroys and teardowns
    # only in the destroy environment, which has required reviewers.
    plan = ["repo:${var.github_repository}:pull_request"]
    apply = [
      "repo:${var.github_repository}:environment:${var.apply_environment}",
      "repo:${var.github_repository}:environment:${var.destroy_environment}",
    ]
  }

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = each.value
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = data.aws_iam_policy_document.trust

  name               = "${var.owner_id}-kubecdn-${each.key}"
  assume_role_policy = each.value.json
}

# Plans read everything they refresh, and the state; they write only their state lock file.
resource "aws_iam_role_policy_attachment" "plan_read_only" {
  role       = aws_iam_role.this["plan"].name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_iam_role_policy_attachment" "apply_admin" {
  role       = aws_iam_role.this["apply"].name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
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
