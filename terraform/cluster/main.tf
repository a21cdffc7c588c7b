# One region's cluster: a VPC across availability zones with public and private subnets and NAT,
# an EKS cluster with managed node groups, its OIDC provider for service-account roles, and the
# role the AWS Load Balancer Controller uses to make the edge's network load balancer.
# Built on terraform-aws-modules, which carry the IAM and networking details many teams rely on.

data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, var.availability_zones)
  # Public and private subnets of equal size for every zone, carved out of the VPC.
  subnet_bits     = ceil(log(var.availability_zones * 2, 2))
  private_subnets = [for i in range(var.availability_zones) : cidrsubnet(var.vpc_cidr, local.subnet_bits, i)]
  public_subnets  = [for i in range(var.availability_zones) : cidrsubnet(var.vpc_cidr, local.subnet_bits, var.availability_zones + i)]
}

################################################################################
# Network
################################################################################

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.21"

  name = var.name
  cidr = var.vpc_cidr
  azs  = local.azs

  private_subnets = local.private_subnets
  public_subnets  = local.public_subnets

  # A NAT gateway per zone: losing one zone does not cut the others off from the origin.
  enable_nat_gateway     = true
  one_nat_gateway_per_az = true

  # Where the AWS Load Balancer Controller places internet-facing and internal load balancers.
  public_subnet_tags  = { "kubernetes.io/role/elb" = "1" }
  private_subnet_tags = { "kubernetes.io/role/internal-elb" = "1" }

  tags = var.tags
}

################################################################################
# Cluster
################################################################################

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.37"

  cluster_name    = var.name
  cluster_version = var.kubernetes_version

  vpc_id     = module.vpc.vpc_id
  subnet_ids = module.vpc.private_subnets

  cluster_endpoint_public_access           = true
  enable_cluster_creator_admin_permissions = true
  enable_irsa                              = true

  cluster_addons = {
    coredns                = {}
    kube-proxy             = {}
    vpc-cni                = {}
    eks-pod-identity-agent = {}
  }

  eks_managed_node_groups = {
    for group in var.node_groups : group.name => {
      instance_types = group.instance_types
      capacity_type  = group.capacity_type
      min_size       = group.min_size
      max_size       = group.max_size
      desired_size   = group.min_size
      disk_size      = group.disk_size
      labels         = { "kubecdn/node-group" = group.name }
    }
  }

  tags = var.tags
}

################################################################################
# AWS Load Balancer Controller
################################################################################

module "lb_controller_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "~> 5.58"

  role_name                              = "${var.name}-lb-controller"
  attach_load_balancer_controller_policy = true

  oidc_providers = {
    this = {
      provider_arn               = module.eks.oidc_provider_arn
      namespace_service_accounts = ["kube-system:aws-load-balancer-controller"]
    }
  }

  tags = var.tags
}
