output "cluster_name" {
  description = "EKS cluster name, for kubectl and the edge manifests."
  value       = module.cluster.cluster_name
}

output "cluster_endpoint" {
  description = "EKS API server endpoint."
  value       = module.cluster.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 certificate authority of the EKS API server."
  value       = module.cluster.cluster_certificate_authority_data
}

output "lb_controller_role_arn" {
  description = "IAM role for the AWS Load Balancer Controller's service account (kube-system/aws-load-balancer-controller)."
  value       = module.cluster.lb_controller_role_arn
}

output "vpc_id" {
  description = "VPC of the region."
  value       = module.cluster.vpc_id
}
