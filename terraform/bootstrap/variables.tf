variable "owner_id" {
  description = "Owner id of the kubeCDN (cdn.yaml owner_id); names the bucket and the roles."
  type        = string

  # The state bucket, <owner_id>-kubecdn-state-<account id>, must fit S3's 63 characters.
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,35}$", var.owner_id))
    error_message = "The owner_id is lower-case letters, digits and dashes, 2 to 36 characters."
  }
}

variable "state_region" {
  description = "AWS region of the state bucket."
  type        = string
  default     = "us-east-1"
}

variable "github_repository" {
  description = "The repository whose workflows may assume the roles, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "The github_repository is owner/name."
  }
}

variable "apply_environment" {
  description = "GitHub environment the apply jobs run in (limited to the main branch); it may assume the apply role."
  type        = string
  default     = "production"
}

variable "destroy_environment" {
  description = "GitHub environment the destroy and teardown jobs run in (main only, required reviewers); only it may assume the destroy role."
  type        = string
  default     = "production-destroy"
}

variable "create_github_oidc_provider" {
  description = "Create GitHub's OIDC provider in this account; false when the account already has one."
  type        = bool
  default     = true
}

variable "zone_id" {
  description = "Route53 hosted zone of the CDN's hostnames (cdn.yaml zone_id), where the certificate validation records go."
  type        = string

  validation {
    condition     = can(regex("^Z[A-Z0-9]{1,31}$", var.zone_id))
    error_message = "The zone_id is a Route53 hosted zone id such as Z04012345EXAMPLE0001."
  }
}

variable "hostnames" {
  description = "The CDN's hostnames (cdn.yaml hostnames): every region's certificate is for these names."
  type        = list(string)

  validation {
    condition     = length(var.hostnames) > 0 && length(var.hostnames) <= 10
    error_message = "Between 1 and 10 hostnames: an ACM certificate holds at most 10 names by default."
  }
}
