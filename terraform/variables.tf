# The stack's variables are exactly what kubecdn writes from a region's YAML entry and cdn.yaml
# (kubecdn tf vars --region R); tests check the contract both ways.

variable "region" {
  description = "AWS region code of this stack, from the region files."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2,4}(-[a-z]+)+-[0-9]$", var.region)) && length(var.region) <= 14
    error_message = "The region must be an AWS region code such as eu-west-1."
  }
}

variable "owner_id" {
  description = "Owner id of this kubeCDN (cdn.yaml owner_id): names and tags every resource."
  type        = string

  # 36 characters at most: the bootstrap's state bucket, <owner_id>-kubecdn-state-<account id>,
  # must fit S3's 63, and then every name below fits its own limit with the longest region code.
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,35}$", var.owner_id))
    error_message = "The owner_id is lower-case letters, digits and dashes, 2 to 36 characters."
  }
}

variable "kubernetes_version" {
  description = "EKS Kubernetes minor version, such as 1.35."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]{1,2}$", var.kubernetes_version))
    error_message = "The kubernetes_version is a minor version such as 1.35."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the region's VPC, /16 to /24."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24
    error_message = "The vpc_cidr must be an IPv4 CIDR from /16 to /24."
  }
}

variable "availability_zones" {
  description = "How many availability zones the VPC, the cluster and its nodes span."
  type        = number
  default     = 3

  validation {
    condition     = var.availability_zones >= 2 && var.availability_zones <= 6
    error_message = "The availability_zones must be 2 to 6."
  }
}

variable "node_groups" {
  description = "The region's node pools: the instance types the stack checks the region offers (the pools themselves are rendered with the edge manifests)."
  type = list(object({
    name           = string
    instance_types = list(string)
    capacity_type  = string
    max_size       = number
    disk_size      = number
  }))

  validation {
    condition     = length(var.node_groups) > 0 && alltrue([for g in var.node_groups : contains(["ON_DEMAND", "SPOT"], g.capacity_type) && length(g.instance_types) > 0])
    error_message = "At least one node group, each with instance types and a capacity_type of ON_DEMAND or SPOT."
  }
}

variable "hostnames" {
  description = "The CDN's hostnames (cdn.yaml hostnames): the names the region's certificate is for."
  type        = list(string)

  validation {
    condition     = length(var.hostnames) > 0 && length(var.hostnames) <= 10
    error_message = "Between 1 and 10 hostnames: an ACM certificate holds at most 10 names by default."
  }
}

variable "certificate_arn" {
  description = "A certificate the user brings (edge.certificate_arn); without it the stack makes one."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$", var.certificate_arn))
    error_message = "The certificate_arn is an ACM certificate ARN."
  }
}
