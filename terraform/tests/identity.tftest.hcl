# A regression guard: the stack reads no caller identity today (no aws_caller_identity, no
# cluster-creator admin access), so nothing below can differ yet. It fails the day something in
# the stack starts to depend on who runs it.
#
# A plan made as another identity shows no change. The workflows apply as the apply role and
# plan pull requests as the plan role: if anything in the stack depended on who runs it (the
# cluster creator's admin access, a key policy naming the caller), every pull request's plan
# would show it replaced. The two providers differ in the caller they report; the second run
# plans against the state the first applied, and the test that runs this file reads its plan.

mock_provider "aws" {
  alias  = "apply_role"
  source = "./tests/mocks"

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
      arn        = "arn:aws:sts::123456789012:assumed-role/kubecdn-example-kubecdn-apply/apply"
      user_id    = "AROAAPPLYAPPLYAPPLY:apply"
    }
  }
}

mock_provider "aws" {
  alias  = "plan_role"
  source = "./tests/mocks"

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
      arn        = "arn:aws:sts::123456789012:assumed-role/kubecdn-example-kubecdn-plan/plan"
      user_id    = "AROAPLANPLANPLANPLAN:plan"
    }
  }
}

variables {
  region             = "us-east-1"
  owner_id           = "kubecdn-example"
  kubernetes_version = "1.35"
  vpc_cidr           = "10.10.0.0/16"
  availability_zones = 3
  hostnames          = ["cdn.example.com", "static.example.com"]
  node_groups        = [{ name = "edge", instance_types = ["c7i.large", "c6i.large"], capacity_type = "ON_DEMAND", max_size = 12, disk_size = 80 }]
}

run "as_apply_role" {
  providers = {
    aws = aws.apply_role
  }

  assert {
    condition     = !aws_eks_cluster.this.access_config[0].bootstrap_cluster_creator_admin_permissions
    error_message = "The cluster creator must get no access of its own: access comes from access entries only."
  }
}

run "as_plan_role" {
  command = plan

  providers = {
    aws = aws.plan_role
  }
}
