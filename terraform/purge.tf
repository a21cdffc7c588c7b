################################################################################
# Access: the purge role lists and port-forwards to the edge's pods, nothing more
################################################################################
# The bootstrap's purge role (terraform/bootstrap/purge.tf) gets a standard access entry with no
# access policy: EKS maps it to the Kubernetes group kubecdn:purge, and the Role and RoleBinding
# in manifests/base (purge-rbac.yaml) are all that group may do.

data "aws_iam_role" "purge" {
  name = "${var.owner_id}-kubecdn-purge"
}

resource "aws_eks_access_entry" "purge" {
  cluster_name      = aws_eks_cluster.this.name
  principal_arn     = data.aws_iam_role.purge.arn
  type              = "STANDARD"
  kubernetes_groups = ["kubecdn:purge"]
}
