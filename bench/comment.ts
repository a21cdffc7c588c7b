// Rendering the plan comment for 60 regions with large plans: time, and size against GitHub's limit.
// Baseline: joining the same plan texts into one string, the least any renderer must do.
//   npx tsx bench/comment.ts
import { COMMENT_LIMIT, renderComment } from '../src/core/comment.js';
import type { PlanSummary } from '../src/core/terraform.js';
import { ms, time } from './timing.js';

const regions = 60;
const summaries: PlanSummary[] = Array.from({ length: regions }, (_, r) => {
  const resources = Array.from({ length: 40 + r }, (_, i) => `module.cluster.aws_eks_node_group.this["group-${i}"]`);
  const lines = Array.from({ length: 2000 + 50 * r }, (_, i) => `      ~ tags.attribute_${i} = "old-value-${i}" -> "new-value-${i}"`);
  return {
    region: `region-${r}`,
    operation: 'plan',
    reason: 'terraform/ changed',
    serving: true,
    status: 'changes',
    counts: { create: 0, update: resources.length, delete: 0, replace: 0 },
    resources: { create: [], update: resources, delete: [], replace: [] },
    critical: [],
    drift: [],
    planText: [
      'Terraform will perform the following actions:',
      ...lines,
      `Plan: 0 to add, ${resources.length} to change, 0 to destroy.`,
    ].join('\n'),
  };
});
const input = { summaries, commit: '0123456789abcdef0123456789abcdef01234567', fullPlans: 'the job summaries of run 42' };
const totalPlan = summaries.reduce((n, s) => n + s.planText.length, 0);

const body = renderComment(input);
const render = time(20, () => renderComment(input));
const baseline = time(20, () => summaries.map((s) => s.planText).join('\n'));

console.log(`comment: ${regions} regions, ${(totalPlan / 1e6).toFixed(1)} M characters of plan text`);
console.log(
  `  rendered size          ${body.length} characters (limit ${COMMENT_LIMIT}: ${body.length <= COMMENT_LIMIT ? 'fits' : 'TOO LARGE'}, ${((100 * body.length) / COMMENT_LIMIT).toFixed(1)}% used)`,
);
console.log(`  render, median of 20   ${ms(render)}   ${(render / baseline).toFixed(1)}x joining the plan texts (${ms(baseline)})`);
