# What the AWS provider's data sources and computed attributes return in the stack's tests: a
# region of seven zones, one of them (use1-az3) where EKS cannot run, the instance types the
# region files use, and the bootstrap's roles. The provider itself is the real one from the local
# mirror: it checks every argument of every resource, mocked or not.

mock_data "aws_availability_zones" {
  defaults = {
    names    = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f", "us-east-1g"]
    zone_ids = ["use1-az1", "use1-az3", "use1-az2", "use1-az4", "use1-az5", "use1-az6", "use1-az7"]
  }
}

mock_data "aws_ec2_instance_type_offerings" {
  defaults = { instance_types = ["c7i.large", "c6i.large", "c5.large", "c7g.xlarge", "m7i.2xlarge"] }
}

mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}

mock_data "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/kubecdn-admin" }
}

# The apply and destroy roles are two roles: each gets its own access entry, which a shared mock
# ARN would hide.
override_data {
  target = data.aws_iam_role.admin["apply"]
  values = { arn = "arn:aws:iam::123456789012:role/kubecdn-example-kubecdn-apply" }
}

override_data {
  target = data.aws_iam_role.admin["destroy"]
  values = { arn = "arn:aws:iam::123456789012:role/kubecdn-example-kubecdn-destroy" }
}

mock_resource "aws_acm_certificate" {
  defaults = {
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"
    domain_validation_options = [
      { domain_name = "cdn.example.com", resource_record_name = "_0123456789abcdef0123456789abcdef.cdn.example.com.", resource_record_type = "CNAME", resource_record_value = "_fedcba9876543210fedcba9876543210.acm-validations.aws." },
    ]
  }
}

mock_resource "aws_eks_cluster" {
  defaults = { certificate_authority = [{ data = "Y2VydGlmaWNhdGU=" }] }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/kubecdn-mock" }
}
