output "state_bucket" {
  description = "Bucket for every region's state: the TF_STATE_BUCKET repository variable."
  value       = aws_s3_bucket.state.bucket
}

output "plan_role_arn" {
  description = "Read-only role for pull-request plans: the AWS_PLAN_ROLE_ARN repository variable."
  value       = aws_iam_role.this["plan"].arn
}

output "apply_role_arn" {
  description = "Role for applies and teardowns, in the protected environment: the AWS_APPLY_ROLE_ARN variable."
  value       = aws_iam_role.this["apply"].arn
}
