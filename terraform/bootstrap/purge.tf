################################################################################
# Purge: the role the purge workflow reaches the clusters with
################################################################################
# kubecdn purge port-forwards to every edge pod's loopback purge listener. Its role may only
# describe the project's clusters (what aws eks update-kubeconfig reads); what it may do inside a
# cluster is the kubecdn:purge group's RBAC in manifests/base (list pods, port-forward, in the
# kubecdn namespace), which each region's access entry maps the role to.

variable "purge_environment" {
  description = "GitHub environment the purge job runs in (limited to the main branch); only it may assume the purge role."
  type        = string
  default     = "purge"
}

locals {
  purge_trust = {
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = local.oidc_provider_arn }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = ["sts.amazonaws.com"]
          "token.actions.githubusercontent.com:sub" = ["repo:${local.repo}:environment:${var.purge_environment}:job_workflow_ref:${local.workflows}/purge.yml@refs/heads/main"]
        }
      }
    }]
  }

  # Every region's cluster is <owner_id>-<region> (terraform/main.tf), in this account and its
  # partition (read from the caller's ARN).
  purge_permissions = {
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["eks:DescribeCluster"]
      Resource = ["arn:${split(":", data.aws_caller_identity.this.arn)[1]}:eks:*:${data.aws_caller_identity.this.account_id}:cluster/${var.owner_id}-*"]
    }]
  }
}

resource "aws_iam_role" "purge" {
  name               = "${var.owner_id}-kubecdn-purge"
  assume_role_policy = jsonencode(local.purge_trust)
}

# Written out rather than built by a data source, so that the tests read the very policy IAM gets.
resource "aws_iam_role_policy" "purge" {
  name   = "describe-clusters"
  role   = aws_iam_role.purge.id
  policy = jsonencode(local.purge_permissions)
}

output "purge_role_arn" {
  description = "Role for purges, in the purge environment only: the AWS_PURGE_ROLE_ARN repository variable."
  value       = aws_iam_role.purge.arn
}
