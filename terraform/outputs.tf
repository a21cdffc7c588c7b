output "cluster_name" {
  description = "EKS cluster name, for kubectl and the edge manifests."
  value       = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  description = "EKS API server endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 certificate authority of the EKS API server."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "node_role_name" {
  description = "IAM role of the nodes: the edge's NodeClasses name it."
  value       = aws_iam_role.node.name
}

output "certificate_arn" {
  description = "The certificate the edge's load balancer serves HTTPS with: the user's, or the validated one the stack made."
  value       = var.certificate_arn != null ? var.certificate_arn : aws_acm_certificate_validation.this[0].certificate_arn
}

output "vpc_id" {
  description = "VPC of the region."
  value       = aws_vpc.this.id
}
