variable "owner_id" {
  description = "Owner id of the kubeCDN (cdn.yaml owner_id); names the bucket and the roles."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,62}$", var.owner_id))
    error_message = "The owner_id is lower-case letters, digits and dashes, 2 to 63 characters."
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
  description = "GitHub environment the apply jobs run in (limited to the main branch); it may assume the write role."
  type        = string
  default     = "production"
}

variable "destroy_environment" {
  description = "GitHub environment the destroy and teardown jobs run in (main only, required reviewers); it may assume the write role."
  type        = string
  default     = "production-destroy"
}

variable "create_github_oidc_provider" {
  description = "Create GitHub's OIDC provider in this account; false when the account already has one."
  type        = bool
  default     = true
}
