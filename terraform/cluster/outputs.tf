output "cluster_name" {
  description = "EKS cluster name."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "EKS API server endpoint."
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 certificate authority of the API server."
  value       = module.eks.cluster_certificate_authority_data
}

output "oidc_provider_arn" {
  description = "The cluster's OIDC provider, for service-account roles."
  value       = module.eks.oidc_provider_arn
}

output "lb_controller_role_arn" {
  description = "IAM role of the AWS Load Balancer Controller."
  value       = module.lb_controller_role.iam_role_arn
}

output "vpc_id" {
  description = "VPC id."
  value       = module.vpc.vpc_id
}
