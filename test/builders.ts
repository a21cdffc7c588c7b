// Small builders for core values, so a test states only what it is about.
import type { PlanSummary } from '../src/core/terraform.js';

export function summary(overrides: Partial<PlanSummary> & { region: string }): PlanSummary {
  return {
    operation: 'plan',
    reason: 'test',
    serving: true,
    status: 'changes',
    counts: { create: 1, update: 0, delete: 0, replace: 0 },
    resources: { create: ['terraform_data.a'], update: [], delete: [], replace: [] },
    critical: [],
    drift: [],
    planText: '  # terraform_data.a will be created\n  + resource "terraform_data" "a" {}\n\nPlan: 1 to add, 0 to change, 0 to destroy.',
    ...overrides,
  };
}

/** A plan text of about `lines` lines, as Terraform prints a large plan. */
export function largePlan(region: string, lines: number): string {
  const body = Array.from({ length: lines }, (_, i) => `      + attribute_${i} = "value-${region}-${i}"`);
  return [
    'Terraform will perform the following actions:',
    '',
    `  # module.cluster.aws_eks_cluster.this will be created`,
    '  + resource "aws_eks_cluster" "this" {',
    ...body,
    '    }',
    '',
    `Plan: 1 to add, 0 to change, 0 to destroy.`,
  ].join('\n');
}
