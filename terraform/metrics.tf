################################################################################
# Demand metrics: this region's request counts, to the one workspace
################################################################################
# A managed scraper (no agent in the cluster) reads kubecdn_requests_total from every edge pod's
# mtail sidecar (port "metrics", 3903) and writes it to the workspace the bootstrap made. The
# scraper needs read access to pods in the cluster: an EKS access entry for its role, bound to
# the kubecdn-metrics-reader group (manifests/base/metrics-rbac.yaml).

variable "metrics_workspace_arn" {
  description = "The Prometheus workspace every region's request counts go to (bootstrap output metrics_workspace_arn), from the repository variable KUBECDN_METRICS_WORKSPACE_ARN as TF_VAR_metrics_workspace_arn; null or empty for none."
  type        = string
  default     = null

  validation {
    condition     = var.metrics_workspace_arn == null || var.metrics_workspace_arn == "" || can(regex("^arn:aws[a-z-]*:aps:[a-z0-9-]+:[0-9]{12}:workspace/ws-[0-9a-f-]+$", var.metrics_workspace_arn))
    error_message = "metrics_workspace_arn is a workspace ARN, arn:aws:aps:REGION:ACCOUNT:workspace/ws-…"
  }
}

# The scraper reads this stack's own cluster, from its private subnets, through the cluster
# security group: Auto Mode puts it on its nodes, and it lets members of the group reach each other
# on every port, so the scraper's ENIs reach each pod's mtail on 3903.
locals {
  scrape_metrics = var.metrics_workspace_arn != null && var.metrics_workspace_arn != ""
}

resource "aws_prometheus_scraper" "this" {
  count = local.scrape_metrics ? 1 : 0

  alias = "kubecdn-${var.region}"

  source {
    eks {
      cluster_arn        = aws_eks_cluster.this.arn
      subnet_ids         = aws_subnet.private[*].id
      security_group_ids = [aws_eks_cluster.this.vpc_config[0].cluster_security_group_id]
    }
  }

  destination {
    amp {
      workspace_arn = var.metrics_workspace_arn
    }
  }

  scrape_configuration = <<-YAML
    global:
      scrape_interval: 30s
      external_labels:
        cluster_region: ${var.region}
    scrape_configs:
      - job_name: kubecdn-edge
        kubernetes_sd_configs:
          - role: pod
            namespaces:
              names: [kubecdn]
        relabel_configs:
          - source_labels: [__meta_kubernetes_pod_container_port_name]
            regex: metrics
            action: keep
          - source_labels: [__meta_kubernetes_pod_name]
            target_label: pod
        metric_relabel_configs:
          - source_labels: [__name__]
            regex: kubecdn_requests_total
            action: keep
  YAML
}

resource "aws_eks_access_entry" "scraper" {
  count = local.scrape_metrics ? 1 : 0

  cluster_name      = aws_eks_cluster.this.name
  principal_arn     = aws_prometheus_scraper.this[0].role_arn
  kubernetes_groups = ["kubecdn-metrics-reader"]
}
