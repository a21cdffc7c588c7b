output "state_bucket" {
  description = "Bucket for every region's state: the TF_STATE_BUCKET repository variable."
  value       = aws_s3_bucket.state.bucket
}

output "state_region" {
  description = "Region of the state bucket: the TF_STATE_REGION repository variable."
  value       = var.state_region
}

output "plan_role_arn" {
  description = "Read-only role for pull-request plans: the AWS_PLAN_ROLE_ARN repository variable."
  value       = aws_iam_role.this["plan"].arn
}

output "apply_role_arn" {
  description = "Role for applies, destroys and teardowns, in the two environments: the AWS_APPLY_ROLE_ARN variable."
  value       = aws_iam_role.this["apply"].arn
}
