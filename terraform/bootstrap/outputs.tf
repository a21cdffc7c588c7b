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
  description = "Role for applies, in the apply environment only: the AWS_APPLY_ROLE_ARN repository variable."
  value       = aws_iam_role.this["apply"].arn
}

output "destroy_role_arn" {
  description = "Role for destroys and teardowns, in the destroy environment only: the AWS_DESTROY_ROLE_ARN repository variable."
  value       = aws_iam_role.this["destroy"].arn
}

output "validation_records" {
  description = "The ACM validation records every region's certificate of the CDN's hostnames is validated by."
  value       = sort([for r in aws_route53_record.validation : r.fqdn])
}
