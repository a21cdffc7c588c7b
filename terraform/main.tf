locals {
  name = "${var.owner_id}-${var.region}"
  tags = {
    "kubecdn/owner"  = var.owner_id
    "kubecdn/region" = var.region
    "managed-by"     = "kubecdn"
  }
}

module "cluster" {
  source = "./cluster"

  name               = local.name
  kubernetes_version = var.kubernetes_version
  vpc_cidr           = var.vpc_cidr
  availability_zones = var.availability_zones
  node_groups        = var.node_groups
  tags               = local.tags
}
