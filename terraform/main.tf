# One region of kubeCDN, on the AWS provider's own resources: a VPC across the availability zones
# EKS supports in the region, an EKS cluster in Auto Mode (nodes, the network load balancer and
# block storage run by EKS, with no controller to install), metrics-server for the edge's
# autoscaler, access for the roles the workflows assume, and the certificate the load balancer
# serves HTTPS with.

locals {
  # <owner_id>-<region> is at most 36 + 1 + 14 = 51 characters, so every name built from it below
  # fits: the cluster (100), the IAM roles (64).
  name = "${var.owner_id}-${var.region}"
  tags = {
    "kubecdn/owner"  = var.owner_id
    "kubecdn/region" = var.region
    "managed-by"     = "kubecdn"
  }

  # Zones where EKS cannot place a cluster's subnets (the EKS user guide's subnet requirements),
  # by zone id: zone names map to different zones in every account.
  eks_unsupported_zone_ids = ["use1-az3", "usw1-az2", "cac1-az3"]

  # The roles the bootstrap makes for the workflows (terraform/bootstrap): applies run kubectl
  # after Terraform, destroys and teardowns delete the edge before the cluster goes.
  admin_role_names = {
    apply   = "${var.owner_id}-kubecdn-apply"
    destroy = "${var.owner_id}-kubecdn-destroy"
  }
}

data "aws_partition" "this" {}

################################################################################
# Network
################################################################################

data "aws_availability_zones" "this" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  eks_zones = [
    for i, zone_id in data.aws_availability_zones.this.zone_ids : data.aws_availability_zones.this.names[i]
    if !contains(local.eks_unsupported_zone_ids, zone_id)
  ]
  zones = slice(local.eks_zones, 0, min(var.availability_zones, length(local.eks_zones)))

  # Private and public subnets of equal size for every zone, carved out of the VPC: the private
  # ones hold the nodes and the pods (kubecdn validate checks they can hold the edge at
  # max_replicas), the public ones the load balancer and the NAT gateways.
  subnet_bits     = ceil(log(var.availability_zones * 2, 2))
  private_subnets = [for i in range(var.availability_zones) : cidrsubnet(var.vpc_cidr, local.subnet_bits, i)]
  public_subnets  = [for i in range(var.availability_zones) : cidrsubnet(var.vpc_cidr, local.subnet_bits, var.availability_zones + i)]
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = local.name }

  lifecycle {
    precondition {
      condition     = length(local.eks_zones) >= var.availability_zones
      error_message = "${var.region} has ${length(local.eks_zones)} availability zones where EKS can run, fewer than availability_zones (${var.availability_zones})."
    }
  }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = local.name }
}

resource "aws_subnet" "public" {
  count = length(local.zones)

  vpc_id                  = aws_vpc.this.id
  cidr_block              = local.public_subnets[count.index]
  availability_zone       = local.zones[count.index]
  map_public_ip_on_launch = false

  # Where EKS Auto Mode places internet-facing load balancers.
  tags = { Name = "${local.name}-public-${local.zones[count.index]}", "kubernetes.io/role/elb" = "1" }
}

resource "aws_subnet" "private" {
  count = length(local.zones)

  vpc_id            = aws_vpc.this.id
  cidr_block        = local.private_subnets[count.index]
  availability_zone = local.zones[count.index]

  # Where internal load balancers go, and where the edge's NodeClass puts its nodes.
  tags = { Name = "${local.name}-private-${local.zones[count.index]}", "kubernetes.io/role/internal-elb" = "1" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }

  tags = { Name = "${local.name}-public" }
}

resource "aws_route_table_association" "public" {
  count = length(local.zones)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# A NAT gateway per zone: losing one zone does not cut the others off from the origin.
resource "aws_eip" "nat" {
  count = length(local.zones)

  domain = "vpc"

  tags = { Name = "${local.name}-nat-${local.zones[count.index]}" }
}

resource "aws_nat_gateway" "this" {
  count = length(local.zones)

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = { Name = "${local.name}-${local.zones[count.index]}" }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "private" {
  count = length(local.zones)

  vpc_id = aws_vpc.this.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.this[count.index].id
  }

  tags = { Name = "${local.name}-private-${local.zones[count.index]}" }
}

resource "aws_route_table_association" "private" {
  count = length(local.zones)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

################################################################################
# IAM: the cluster's role and its nodes' role, with the policies EKS Auto Mode requires
################################################################################

data "aws_iam_policy_document" "cluster_trust" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${local.name}-cluster"
  assume_role_policy = data.aws_iam_policy_document.cluster_trust.json
}

resource "aws_iam_role_policy_attachment" "cluster" {
  for_each = toset([
    "AmazonEKSClusterPolicy",
    "AmazonEKSComputePolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingPolicy",
  ])

  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${data.aws_partition.this.partition}:iam::aws:policy/${each.key}"
}

data "aws_iam_policy_document" "node_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

# The edge's NodeClasses name this role (spec.role); kubecdn manifests renders the same name.
resource "aws_iam_role" "node" {
  name               = "${local.name}-node"
  assume_role_policy = data.aws_iam_policy_document.node_trust.json
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset(["AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"])

  role       = aws_iam_role.node.name
  policy_arn = "arn:${data.aws_partition.this.partition}:iam::aws:policy/${each.key}"
}

################################################################################
# Cluster
################################################################################

# The instance types the node pools ask for, that this region offers: a type it does not offer
# fails the plan here, rather than leaving a node pool that can never make a node.
data "aws_ec2_instance_type_offerings" "this" {
  location_type = "region"

  filter {
    name   = "instance-type"
    values = distinct(flatten(var.node_groups[*].instance_types))
  }
}

locals {
  missing_instance_types = setsubtract(distinct(flatten(var.node_groups[*].instance_types)), data.aws_ec2_instance_type_offerings.this.instance_types)
}

resource "aws_eks_cluster" "this" {
  name     = local.name
  role_arn = aws_iam_role.cluster.arn
  version  = var.kubernetes_version

  # Auto Mode runs the networking, DNS and proxy add-ons itself.
  bootstrap_self_managed_addons = false

  # Access entries only, and none for whoever ran the first apply: the cluster's access is the
  # same whoever plans or applies it, so a plan made as another identity shows no change.
  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = false
  }

  # EKS Auto Mode. Its built-in system pool runs metrics-server and the cluster's own add-ons;
  # the edge runs on the node pools rendered from the region files (kubecdn manifests).
  compute_config {
    enabled       = true
    node_pools    = ["system"]
    node_role_arn = aws_iam_role.node.arn
  }

  kubernetes_network_config {
    elastic_load_balancing {
      enabled = true
    }
  }

  storage_config {
    block_storage {
      enabled = true
    }
  }

  vpc_config {
    subnet_ids              = aws_subnet.private[*].id
    endpoint_private_access = true
    endpoint_public_access  = true
  }

  lifecycle {
    precondition {
      condition     = length(local.missing_instance_types) == 0
      error_message = "${var.region} does not offer ${join(", ", sort(local.missing_instance_types))}: choose instance types the region offers (aws ec2 describe-instance-type-offerings --region ${var.region})."
    }
  }

  depends_on = [
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy_attachment.node,
    aws_route_table_association.private,
  ]
}

# Resource metrics for the edge's HorizontalPodAutoscaler. At apply time the only nodes are Auto
# Mode's built-in system pool, tainted CriticalAddonsOnly:NoSchedule (the edge's NodePools arrive
# later, through kubectl). Without this toleration metrics-server has nowhere to run and the
# add-on never turns ACTIVE, so apply times out. `tolerations` is in the add-on's configuration
# schema (aws eks describe-addon-configuration --addon-name metrics-server).
resource "aws_eks_addon" "metrics_server" {
  cluster_name = aws_eks_cluster.this.name
  addon_name   = "metrics-server"

  configuration_values = jsonencode({
    tolerations = [{ key = "CriticalAddonsOnly", operator = "Exists", effect = "NoSchedule" }]
  })
}

################################################################################
# Access: the workflows' roles administer the cluster
################################################################################

data "aws_iam_role" "admin" {
  for_each = local.admin_role_names

  name = each.value
}

resource "aws_eks_access_entry" "admin" {
  for_each = data.aws_iam_role.admin

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value.arn
  type          = "STANDARD"
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = aws_eks_access_entry.admin

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value.principal_arn
  policy_arn    = "arn:${data.aws_partition.this.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

################################################################################
# Certificate: HTTPS on the load balancer
################################################################################

# The region's own certificate for the CDN's hostnames. Its DNS validation records are the
# bootstrap's (the same records validate every region's certificate of these names, so no
# region may own them); this only waits for ACM to find them.
resource "aws_acm_certificate" "this" {
  count = var.certificate_arn == null ? 1 : 0

  domain_name               = var.hostnames[0]
  subject_alternative_names = slice(var.hostnames, 1, length(var.hostnames))
  validation_method         = "DNS"

  tags = { Name = local.name }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate_validation" "this" {
  count = var.certificate_arn == null ? 1 : 0

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [for o in aws_acm_certificate.this[0].domain_validation_options : o.resource_record_name]

  timeouts {
    create = "30m"
  }
}
