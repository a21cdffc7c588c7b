# The stack plans for the extremes the region files admit, and refuses, before planning anything,
# what it cannot build. The real AWS provider from the local mirror checks every argument (name
# lengths, ARNs, CIDRs); the mocks only stand in for what AWS would compute.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  region             = "us-east-1"
  owner_id           = "kubecdn-example"
  kubernetes_version = "1.35"
  vpc_cidr           = "10.10.0.0/16"
  availability_zones = 3
  hostnames          = ["cdn.example.com"]
  node_groups        = [{ name = "edge", instance_types = ["c7i.large"], capacity_type = "ON_DEMAND", max_size = 12, disk_size = 80 }]
}

run "longest_names" {
  command = plan

  variables {
    owner_id = "kubecdn-owner-id-of-36-characters-xy"
    region   = "ap-southeast-1"
  }

  assert {
    condition     = aws_eks_cluster.this.name == "kubecdn-owner-id-of-36-characters-xy-ap-southeast-1"
    error_message = "The cluster is named <owner_id>-<region>."
  }

  assert {
    condition     = length(aws_iam_role.cluster.name) <= 64 && length(aws_iam_role.node.name) <= 64
    error_message = "IAM role names fit in 64 characters."
  }
}

run "two_zones" {
  command = plan

  variables {
    availability_zones = 2
  }

  assert {
    condition     = length(aws_subnet.private) == 2 && length(aws_nat_gateway.this) == 2
    error_message = "Two zones, two private subnets and a NAT gateway in each."
  }
}

run "six_zones_skip_the_zone_eks_cannot_use" {
  command = plan

  variables {
    availability_zones = 6
  }

  assert {
    condition     = length(aws_subnet.public) == 6 && !contains(aws_subnet.private[*].availability_zone, "us-east-1b")
    error_message = "Six zones, none of them use1-az3 (us-east-1b in the mocks), where EKS cannot run."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.public : s.tags["kubernetes.io/role/elb"] == "1"]) && alltrue([for s in aws_subnet.private : s.tags["kubernetes.io/role/internal-elb"] == "1"])
    error_message = "Public subnets are tagged for internet-facing load balancers, private ones for internal ones."
  }
}

run "most_node_groups" {
  command = plan

  variables {
    node_groups = [for i in range(8) : { name = "edge-${i}", instance_types = ["c7i.large", "c6i.large", "c5.large", "c7g.xlarge", "m7i.2xlarge"], capacity_type = i % 2 == 0 ? "ON_DEMAND" : "SPOT", max_size = 450, disk_size = 16384 }]
  }
}

run "smallest_vpc" {
  command = plan

  variables {
    vpc_cidr           = "10.20.30.0/24"
    availability_zones = 6
  }

  assert {
    condition     = aws_subnet.private[0].cidr_block == "10.20.30.0/28" && aws_subnet.public[5].cidr_block == "10.20.30.176/28"
    error_message = "A /24 across six zones is cut into /28 subnets."
  }
}

run "a_certificate_the_user_brings" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"
  }

  assert {
    condition     = length(aws_acm_certificate.this) == 0 && output.certificate_arn == var.certificate_arn
    error_message = "With a certificate brought, the stack makes none and the edge serves the one brought."
  }
}

run "metrics_server_and_auto_mode" {
  command = plan

  assert {
    condition     = aws_eks_addon.metrics_server.addon_name == "metrics-server"
    error_message = "metrics-server serves the resource metrics the edge's autoscaler reads."
  }

  assert {
    condition     = contains(jsondecode(aws_eks_addon.metrics_server.configuration_values).tolerations, { key = "CriticalAddonsOnly", operator = "Exists", effect = "NoSchedule" }) && aws_eks_cluster.this.compute_config[0].node_pools == toset(["system"])
    error_message = "The system pool is the only one at apply time and is tainted CriticalAddonsOnly: metrics-server tolerates it, or the add-on never turns ACTIVE."
  }

  assert {
    condition     = aws_eks_cluster.this.compute_config[0].enabled && aws_eks_cluster.this.kubernetes_network_config[0].elastic_load_balancing[0].enabled && aws_eks_cluster.this.storage_config[0].block_storage[0].enabled
    error_message = "Auto Mode: compute, load balancing and block storage."
  }

  assert {
    condition     = aws_iam_role.node.name == "kubecdn-example-us-east-1-node"
    error_message = "The node role has the name the edge's NodeClasses give."
  }
}

run "owner_id_too_long" {
  command = plan

  variables {
    owner_id = "kubecdn-owner-id-of-37-characters-xyz"
  }

  expect_failures = [var.owner_id]
}

run "too_many_zones" {
  command = plan

  variables {
    availability_zones = 7
  }

  expect_failures = [var.availability_zones]
}

run "fewer_zones_where_eks_runs_than_asked" {
  command = plan

  override_data {
    target = data.aws_availability_zones.this
    values = {
      names    = ["us-west-1a", "us-west-1b", "us-west-1c"]
      zone_ids = ["usw1-az1", "usw1-az2", "usw1-az3"]
    }
  }

  expect_failures = [aws_vpc.this]
}

run "instance_type_the_region_does_not_offer" {
  command = plan

  variables {
    node_groups = [{ name = "edge", instance_types = ["c7i.large", "c99.large"], capacity_type = "ON_DEMAND", max_size = 4, disk_size = 80 }]
  }

  expect_failures = [aws_eks_cluster.this]
}

run "too_many_hostnames_for_one_certificate" {
  command = plan

  variables {
    hostnames = [for i in range(11) : "cdn${i}.example.com"]
  }

  expect_failures = [var.hostnames]
}

run "metrics_agent_may_only_write_to_the_workspace" {
  command = plan

  variables {
    metrics_workspace_arn = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-0a1b2c3d-1111-2222-3333-444455556666"
  }

  assert {
    condition     = aws_iam_role.metrics_agent[0].name == "kubecdn-example-us-east-1-metrics"
    error_message = "The agent's role is named <owner_id>-<region>-metrics."
  }

  assert {
    condition = jsondecode(aws_iam_role.metrics_agent[0].assume_role_policy).Statement == [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
    error_message = "Only EKS Pod Identity may assume the agent's role, and tag its sessions."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.metrics_agent[0].policy).Statement == [{
      Effect   = "Allow"
      Action   = ["aps:RemoteWrite"]
      Resource = ["arn:aws:aps:eu-west-1:123456789012:workspace/ws-0a1b2c3d-1111-2222-3333-444455556666"]
    }]
    error_message = "The agent may only write to the one workspace, even one in another Region."
  }

  assert {
    condition = (
      aws_eks_pod_identity_association.metrics_agent[0].cluster_name == aws_eks_cluster.this.name &&
      aws_eks_pod_identity_association.metrics_agent[0].namespace == "kubecdn" &&
      aws_eks_pod_identity_association.metrics_agent[0].service_account == "metrics-agent"
    )
    error_message = "The role goes to the agent's ServiceAccount, kubecdn/metrics-agent, in this region's cluster."
  }

  assert {
    condition     = output.metrics_workspace_arn == "arn:aws:aps:eu-west-1:123456789012:workspace/ws-0a1b2c3d-1111-2222-3333-444455556666"
    error_message = "kubecdn manifests finds the workspace in the stack's outputs."
  }
}

run "metrics_workspace_empty_is_none" {
  command = plan

  # apply.yml passes the repository variable KUBECDN_METRICS_WORKSPACE_ARN as TF_VAR_…: unset, it is "".
  variables {
    metrics_workspace_arn = ""
  }

  assert {
    condition     = length(aws_iam_role.metrics_agent) == 0 && length(aws_eks_pod_identity_association.metrics_agent) == 0
    error_message = "An empty metrics workspace ARN means no agent role, not an invalid value."
  }

  assert {
    condition     = output.metrics_workspace_arn == null
    error_message = "With no workspace, the stack's output says none, and kubecdn manifests deploys no agent."
  }
}

run "region_not_a_region_code" {
  command = plan

  variables {
    region = "us-east"
  }

  expect_failures = [var.region]
}

run "kubernetes_version_not_1_x" {
  command = plan

  variables {
    kubernetes_version = "1.35.2"
  }

  expect_failures = [var.kubernetes_version]
}

run "vpc_larger_than_a_16" {
  command = plan

  variables {
    vpc_cidr = "10.10.0.0/15"
  }

  expect_failures = [var.vpc_cidr]
}

run "vpc_smaller_than_a_24" {
  command = plan

  variables {
    vpc_cidr = "10.10.0.0/25"
  }

  expect_failures = [var.vpc_cidr]
}

run "node_group_capacity_type_unknown" {
  command = plan

  variables {
    node_groups = [{ name = "edge", instance_types = ["c7i.large"], capacity_type = "RESERVED", max_size = 4, disk_size = 80 }]
  }

  expect_failures = [var.node_groups]
}

run "no_node_groups" {
  command = plan

  variables {
    node_groups = []
  }

  expect_failures = [var.node_groups]
}

run "certificate_arn_not_an_acm_arn" {
  command = plan

  variables {
    certificate_arn = "arn:aws:iam::123456789012:server-certificate/cdn"
  }

  expect_failures = [var.certificate_arn]
}

run "metrics_workspace_arn_not_a_workspace" {
  command = plan

  variables {
    metrics_workspace_arn = "arn:aws:aps:us-east-1:123456789012:rulegroupsnamespace/ws-0a1b/rules"
  }

  expect_failures = [var.metrics_workspace_arn]
}

run "metrics_workspace_arn_in_another_partition" {
  command = plan

  variables {
    metrics_workspace_arn = "arn:aws-us-gov:aps:us-gov-west-1:123456789012:workspace/ws-0a1b2c3d-1111-2222-3333-444455556666"
  }

  expect_failures = [var.metrics_workspace_arn]
}

run "one_zone" {
  command = plan

  variables {
    availability_zones = 1
  }

  expect_failures = [var.availability_zones]
}
