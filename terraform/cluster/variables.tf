variable "name" {
  description = "Name of the cluster and prefix of its resources."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,99}$", var.name))
    error_message = "The name is lower-case letters, digits and dashes."
  }
}

variable "kubernetes_version" {
  description = "EKS Kubernetes minor version."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]{1,2}$", var.kubernetes_version))
    error_message = "The kubernetes_version is a minor version such as 1.35."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC, /16 to /24."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "The vpc_cidr must be an IPv4 CIDR."
  }
}

variable "availability_zones" {
  description = "How many availability zones the VPC spans."
  type        = number
  default     = 3

  validation {
    condition     = var.availability_zones >= 2 && var.availability_zones <= 6
    error_message = "The availability_zones must be 2 to 6."
  }
}

variable "node_groups" {
  description = "EKS managed node groups."
  type = list(object({
    name           = string
    instance_types = list(string)
    capacity_type  = string
    min_size       = number
    max_size       = number
    disk_size      = number
  }))

  validation {
    condition     = alltrue([for g in var.node_groups : contains(["ON_DEMAND", "SPOT"], g.capacity_type)])
    error_message = "Each capacity_type is ON_DEMAND or SPOT."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
