################################################################################
# Demand metrics: where every region's request counts meet
################################################################################
# One Amazon Managed Service for Prometheus workspace, in the state region, holds
# kubecdn_requests_total from every region's edges (each region runs a Prometheus agent that
# remote-writes here, as the role its stack makes, which may only write to this workspace). kubecdn autoscale queries it with SigV4, as the autoscale role, which may
# only read it, and only from the autoscale workflow on main.

variable "create_metrics_workspace" {
  description = "Create the Prometheus workspace the regions' request counts are written to, and the role autoscale reads it with."
  type        = bool
  default     = true
}

variable "metrics_retention_days" {
  description = "Days the workspace keeps samples (Amazon Managed Service for Prometheus allows 1 to 1095)."
  type        = number
  default     = 30

  validation {
    condition     = var.metrics_retention_days >= 1 && var.metrics_retention_days <= 1095 && floor(var.metrics_retention_days) == var.metrics_retention_days
    error_message = "metrics_retention_days is a whole number of days from 1 to 1095."
  }
}

resource "aws_prometheus_workspace" "this" {
  count = var.create_metrics_workspace ? 1 : 0

  alias = "${var.owner_id}-kubecdn"
}

resource "aws_prometheus_workspace_configuration" "this" {
  count = var.create_metrics_workspace ? 1 : 0

  workspace_id             = aws_prometheus_workspace.this[0].id
  retention_period_in_days = var.metrics_retention_days
}

data "aws_iam_policy_document" "autoscale_trust" {
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
      values   = ["repo:${var.github_repository}:ref:refs/heads/main:job_workflow_ref:${var.github_repository}/.github/workflows/autoscale.yml@refs/heads/main"]
    }
  }
}

resource "aws_iam_role" "autoscale" {
  count = var.create_metrics_workspace ? 1 : 0

  name               = "${var.owner_id}-kubecdn-autoscale"
  assume_role_policy = data.aws_iam_policy_document.autoscale_trust.json
}

data "aws_iam_policy_document" "autoscale_read" {
  count = var.create_metrics_workspace ? 1 : 0

  statement {
    actions   = ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"]
    resources = [aws_prometheus_workspace.this[0].arn]
  }
}

resource "aws_iam_role_policy" "autoscale_read" {
  count = var.create_metrics_workspace ? 1 : 0

  name   = "read-demand"
  role   = aws_iam_role.autoscale[0].id
  policy = data.aws_iam_policy_document.autoscale_read[0].json
}

output "metrics_workspace_arn" {
  description = "The workspace every region's metrics agent writes to (the regions' metrics_workspace_arn)."
  value       = one(aws_prometheus_workspace.this[*].arn)
}

output "prometheus_url" {
  description = "What kubecdn autoscale --prometheus takes: the repository variable KUBECDN_PROMETHEUS_URL."
  value       = one(aws_prometheus_workspace.this[*].prometheus_endpoint)
}

output "autoscale_role_arn" {
  description = "The role the autoscale workflow reads the workspace with: the repository variable AWS_AUTOSCALE_ROLE_ARN."
  value       = one(aws_iam_role.autoscale[*].arn)
}
