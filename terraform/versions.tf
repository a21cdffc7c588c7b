terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.95, < 6.0"
    }
  }

  # Partial configuration: the bucket and its region come from -backend-config at init, and
  # kubecdn tf plan adds the state key <owner_id>/<region>/terraform.tfstate, so every region has
  # a state of its own. S3 native locking (use_lockfile) needs no DynamoDB table.
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
