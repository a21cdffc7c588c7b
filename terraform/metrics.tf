################################################################################
# Demand metrics: this region's request counts, to the one workspace
################################################################################
# A Prometheus server in agent mode (manifests/components/metrics-agent, deployed by kubecdn
# manifests when the stack has a workspace) scrapes kubecdn_requests_total from every edge pod's
# mtail sidecar (port "metrics", 3903) and sends it with remote_write, signed with SigV4, to the
# workspace the bootstrap made. Remote write is what Amazon Managed Service for Prometheus
# documents for ingesting from any Prometheus server, wherever it runs, so every region's counts
# reach the one workspace, whichever Region it is in. Here: the agent's identity, a role that may
# only write to that workspace, handed to the agent's ServiceAccount by EKS Pod Identity (whose
# agent EKS Auto Mode runs on every node).

variable "metrics_workspace_arn" {
  description = "The Prometheus workspace every region's request counts go to (bootstrap output metrics_workspace_arn), from the repository variable KUBECDN_METRICS_WORKSPACE_ARN as TF_VAR_metrics_workspace_arn; null or empty for none."
  type        = string
  default     = null

  # Only the aws partition: kubecdn manifests (src/core/metrics-agent.ts) renders the agent's
  # remote-write URL for it alone, so another partition's ARN is refused here, before any apply.
  validation {
    condition     = var.metrics_workspace_arn == null || var.metrics_workspace_arn == "" || can(regex("^arn:aws:aps:[a-z0-9-]+:[0-9]{12}:workspace/ws-[0-9a-f-]+$", var.metrics_workspace_arn))
    error_message = "metrics_workspace_arn is a workspace ARN in the aws partition, arn:aws:aps:REGION:ACCOUNT:workspace/ws-…, as kubecdn manifests takes it (the agent's remote-write endpoint is aps-workspaces.REGION.amazonaws.com)."
  }
}

locals {
  write_metrics = var.metrics_workspace_arn != null && var.metrics_workspace_arn != ""
  # The agent's ServiceAccount, as manifests/components/metrics-agent names it.
  metrics_agent_namespace       = "kubecdn"
  metrics_agent_service_account = "metrics-agent"
}

# Trusted by EKS Pod Identity only; TagSession because Pod Identity tags each session with the
# cluster, namespace and ServiceAccount.
resource "aws_iam_role" "metrics_agent" {
  count = local.write_metrics ? 1 : 0

  name = "${local.name}-metrics"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
}

resource "aws_iam_role_policy" "metrics_agent" {
  count = local.write_metrics ? 1 : 0

  name = "write-demand"
  role = aws_iam_role.metrics_agent[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["aps:RemoteWrite"]
      Resource = [var.metrics_workspace_arn]
    }]
  })
}

resource "aws_eks_pod_identity_association" "metrics_agent" {
  count = local.write_metrics ? 1 : 0

  cluster_name    = aws_eks_cluster.this.name
  namespace       = local.metrics_agent_namespace
  service_account = local.metrics_agent_service_account
  role_arn        = aws_iam_role.metrics_agent[0].arn
}

output "metrics_workspace_arn" {
  description = "The workspace this region's metrics agent writes to, or null for none: kubecdn manifests reads it from the region's last apply and deploys the agent only with it."
  value       = local.write_metrics ? var.metrics_workspace_arn : null
}
