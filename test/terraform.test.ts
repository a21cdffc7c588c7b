import { describe, expect, it } from 'vitest';
import { actionOf, maskSensitive, sensitiveValues, summarizePlan, type PlanJson } from '../src/core/terraform.js';

const context = { region: 'us-east-1', operation: 'plan' as const, reason: 'test', serving: true };

describe('plan actions', () => {
  it('reads Terraform action lists as one action each', () => {
    expect(actionOf(['create'])).toBe('create');
    expect(actionOf(['update'])).toBe('update');
    expect(actionOf(['delete'])).toBe('delete');
    expect(actionOf(['delete', 'create'])).toBe('replace');
    expect(actionOf(['create', 'delete'])).toBe('replace');
    expect(actionOf(['no-op'])).toBeUndefined();
    expect(actionOf(['read'])).toBeUndefined();
  });
});

describe('sensitive values', () => {
  // Shapes as in Terraform's JSON output format: sensitive variables, and *_sensitive masks that
  // mirror the value with true at sensitive leaves or subtrees.
  const plan: PlanJson = {
    variables: { token: { value: 'tok-123456' }, name: { value: 'public-name' } },
    configuration: { root_module: { variables: { token: { sensitive: true }, name: {} } } },
    resource_changes: [
      {
        address: 'aws_db_instance.this',
        type: 'aws_db_instance',
        change: {
          actions: ['update'],
          before: { password: 'old-password', tags: { team: 'edge' } },
          after: { password: 'new-password', tags: { team: 'edge' } },
          before_sensitive: { password: true },
          after_sensitive: { password: true, tags: {} },
        },
      },
    ],
    output_changes: { secret: { actions: ['create'], after: { a: 'output-secret', b: [1, 'nested-secret'] }, after_sensitive: true } },
  };

  it('are collected from variables, changes and outputs, and nothing else', () => {
    expect(sensitiveValues(plan).sort()).toEqual(['nested-secret', 'new-password', 'old-password', 'output-secret', 'tok-123456']);
  });

  it('are masked wherever they stand in text', () => {
    const text = 'password = "new-password" token=tok-123456 name=public-name';
    expect(maskSensitive(text, sensitiveValues(plan))).toBe('password = "(sensitive value)" token=(sensitive value) name=public-name');
  });

  it('that are too short to mask safely are left', () => {
    const short: PlanJson = { variables: { n: { value: 7 } }, configuration: { root_module: { variables: { n: { sensitive: true } } } } };
    expect(sensitiveValues(short)).toEqual([]);
  });

  it('are masked in the summary', () => {
    expect(summarizePlan(plan, 'x = new-password', context).planText).toBe('x = (sensitive value)');
  });
});

describe('drift', () => {
  it('lists changes made outside Terraform from resource_drift', () => {
    const summary = summarizePlan(
      { resource_drift: [{ address: 'aws_eks_node_group.this["edge"]', type: 'aws_eks_node_group', change: { actions: ['update'] } }] },
      '',
      context,
    );
    expect(summary.drift).toEqual([{ address: 'aws_eks_node_group.this["edge"]', actions: ['update'] }]);
    expect(summary.status).toBe('no-changes');
  });
});

describe('traffic-critical resources', () => {
  it('are EKS clusters, node groups and load balancers by default, deleted or replaced', () => {
    const summary = summarizePlan(
      {
        resource_changes: [
          { address: 'module.cluster.aws_eks_cluster.this', type: 'aws_eks_cluster', change: { actions: ['delete', 'create'] } },
          { address: 'aws_lb.edge', type: 'aws_lb', change: { actions: ['update'] } },
          { address: 'aws_iam_role.x', type: 'aws_iam_role', change: { actions: ['delete'] } },
        ],
      },
      '',
      context,
    );
    expect(summary.critical).toEqual([{ address: 'module.cluster.aws_eks_cluster.this', action: 'replace' }]);
    expect(summary.counts).toEqual({ create: 0, update: 1, delete: 1, replace: 1 });
  });

  it("include the network under the region's cluster: its VPC, subnets, gateways and routes", () => {
    const summary = summarizePlan(
      {
        resource_changes: [
          { address: 'aws_subnet.private[0]', type: 'aws_subnet', change: { actions: ['delete', 'create'] } },
          { address: 'aws_nat_gateway.this[1]', type: 'aws_nat_gateway', change: { actions: ['delete'] } },
          { address: 'aws_acm_certificate.this[0]', type: 'aws_acm_certificate', change: { actions: ['create', 'delete'] } },
        ],
      },
      '',
      context,
    );
    expect(summary.critical).toEqual([
      { address: 'aws_subnet.private[0]', action: 'replace' },
      { address: 'aws_nat_gateway.this[1]', action: 'delete' },
    ]);
  });
});
