# The stack's variables are exactly what kubecdn writes from a region's YAML entry
# (kubecdn tf vars --region R); tests check the contract both ways.

variable "region" {
  description = "AWS region code of this stack, from the region files."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2,4}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "The region must be an AWS region code such as eu-west-1."
  }
}

variable "owner_id" {
  description = "Owner id of this kubeCDN (cdn.yaml owner_id): names and tags every resource."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,62}$", var.owner_id))
    error_message = "The owner_id is lower-case letters, digits and dashes, 2 to 63 characters."
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
  description = "How many availability zones the VPC and the node groups span."
  type        = number
  default     = 3

  validation {
    condition     = var.availability_zones >= 2 && var.availability_zones <= 6
    error_message = "The availability_zones must be 2 to 6."
  }
}

variable "node_groups" {
  description = "EKS managed node groups of the region, as listed in its YAML entry."
  type = list(object({
    name           = string
    instance_types = list(string)
    capacity_type  = string
    min_size       = number
    max_size       = number
    disk_size      = number
  }))

  validation {
    condition     = length(var.node_groups) > 0 && alltrue([for g in var.node_groups : g.min_size <= g.max_size])
    error_message = "At least one node group, each with min_size <= max_size."
  }
}
