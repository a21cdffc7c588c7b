import { describe, expect, it } from 'vitest';
import { AWS_REGION_CODES } from '../src/core/aws-regions.js';
import { COMMENT_LIMIT, COMMENT_MARKER, diffLines, fairShares, renderComment, SUMMARY_LIMIT, utf8Bytes } from '../src/core/comment.js';
import { largePlan, summary } from './builders.js';

describe('fair shares of the size budget', () => {
  it('give no text more than it needs and split the rest equally', () => {
    expect(fairShares([10, 1000, 1000], 610)).toEqual([10, 300, 300]);
  });

  it('never hand out more than the budget', () => {
    const needs = Array.from({ length: 7 }, (_, i) => 100 * (i + 1));
    const shares = fairShares(needs, 1234);
    expect(shares.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1234);
    shares.forEach((s, i) => expect(s).toBeLessThanOrEqual(needs[i] ?? 0));
  });
});

describe('the plan comment', () => {
  it('starts with the marker and names the commit', () => {
    const body = renderComment({ summaries: [summary({ region: 'us-east-1' })], commit: '0123456789abcdef' });
    expect(body.startsWith(`${COMMENT_MARKER}\n\n## kubeCDN plan for \`0123456789ab\``)).toBe(true);
    expect(body).toContain('| `us-east-1` US East (N. Virginia) | plan | test | 1 | 0 | 0 | 0 | ✅ planned |');
  });

  it('puts traffic impact at the top when a serving region loses a critical resource', () => {
    const body = renderComment({
      summaries: [
        summary({
          region: 'eu-west-1',
          counts: { create: 0, update: 0, delete: 0, replace: 1 },
          resources: { create: [], update: [], delete: [], replace: ['aws_eks_cluster.this'] },
          critical: [{ address: 'aws_eks_cluster.this', action: 'replace' }],
        }),
      ],
    });
    const caution = body.indexOf('> [!CAUTION]\n> **Traffic impact.**');
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(body.indexOf('| Region |'));
    expect(body).toContain('> - `eu-west-1` Europe (Ireland): replaces `aws_eks_cluster.this`');
    expect(body).toContain('> - `eu-west-1` Europe (Ireland): replaces `aws_eks_cluster.this`\n');
  });

  it('does not claim traffic impact for a region that is drained before it is destroyed', () => {
    const body = renderComment({
      summaries: [
        summary({
          region: 'ap-south-1',
          operation: 'destroy',
          reason: 'disabled',
          serving: false,
          counts: { create: 0, update: 0, delete: 3, replace: 0 },
          critical: [{ address: 'aws_eks_cluster.this', action: 'delete' }],
        }),
      ],
    });
    expect(body).not.toContain('Traffic impact');
    expect(body).toContain('> - `ap-south-1` Asia Pacific (Mumbai) (disabled; its DNS records are drained first): destroys 3 resources');
  });

  it('warns about regions without a plan: failed, or no result at all', () => {
    const body = renderComment({
      summaries: [summary({ region: 'sa-east-1', status: 'failed', error: { step: 'plan', message: 'Error: boom' } })],
      matrix: {
        include: [
          { region: 'sa-east-1', operation: 'plan', reason: 'added' },
          { region: 'eu-west-1', operation: 'plan', reason: 'added' },
        ],
      },
    });
    expect(body).toContain('> **2 regions without a plan.**');
    expect(body).toContain('> - `sa-east-1` South America (São Paulo): `terraform plan` failed');
    expect(body).toContain('> - `eu-west-1` Europe (Ireland): no result (the job was cancelled or failed before planning)');
    expect(body).toContain('| `eu-west-1` Europe (Ireland) | plan | added | – | – | – | – | ⏳ no result |');
    expect(body).toContain('<details><summary><b>sa-east-1</b>: ❌ plan failed at terraform plan</summary>\n\n```text\nError: boom\n```');
  });

  it('shows only the problems when the region files are invalid', () => {
    const body = renderComment({
      summaries: [],
      problems: [{ file: 'regions/scalable.yaml', line: 2, column: 13, message: 'bad', rule: 'schema/enum', severity: 'error' }],
    });
    expect(body).toContain('### Region files\n❌ 1 error in the region files.');
    expect(body).not.toContain('| Region |');
  });

  it('says so when no region needs a plan', () => {
    expect(renderComment({ summaries: [] })).toContain('No region needs a Terraform plan for this change.');
  });

  it('fences a plan that contains backticks so it cannot break out', () => {
    const body = renderComment({ summaries: [summary({ region: 'us-east-1', planText: 'description = "```evil```"' })] });
    expect(body).toContain('````diff\ndescription = "```evil```"\n````');
  });

  it('moves Terraform action signs to the first column for diff colouring', () => {
    expect(diffLines('  + resource "a" {\n  ~ update = 1\n-/+ resource "b"\n      - gone = 2\n    }')).toBe(
      '+   resource "a" {\n!   update = 1\n! resource "b"\n-       gone = 2\n    }',
    );
  });

  it('fits 60 regions of large plans into one comment, cutting each plan fairly and saying where the whole plan is', () => {
    // 60 distinct names: the AWS codes, and as many again with a suffix; plans of 200 to 2,560 lines.
    const summaries = Array.from({ length: 60 }, (_, i) => {
      const region = `${AWS_REGION_CODES[i % 30] ?? ''}${i >= 30 ? '-b' : ''}`;
      return summary({ region, planText: largePlan(region, 200 + 40 * i) });
    });
    const body = renderComment({ summaries, fullPlans: 'the job summary of run 42' });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body.length).toBeGreaterThan(COMMENT_LIMIT * 0.9);
    for (const s of summaries) expect(body).toContain(`<b>${s.region}</b>`);
    const cuts = [...body.matchAll(/… (\d+) more lines cut to fit the comment; the whole plan is in the job summary of run 42/g)];
    expect(cuts).toHaveLength(60);
    // Fair: every region keeps about the same amount of its plan.
    const kept = [...body.matchAll(/```diff\n([\s\S]*?)\n```/g)].map((m) => (m[1] ?? '').length);
    expect(Math.max(...kept) - Math.min(...kept)).toBeLessThan(200);
  });

  it('fits the job summary limit in UTF-8 bytes', () => {
    const summaries = Array.from({ length: 10 }, (_, i) => summary({ region: `r${i}`, planText: largePlan('é'.repeat(20), 3000) }));
    const body = renderComment({ summaries }, { limit: SUMMARY_LIMIT, measure: utf8Bytes, marker: false });
    expect(utf8Bytes(body)).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(body.startsWith('## kubeCDN plan')).toBe(true);
  });

  it('drops resource lists, then details, before it would exceed the limit', () => {
    const many = Array.from({ length: 400 }, (_, i) => `module.edge.aws_route53_record.very_long_resource_name_${i}`);
    const summaries = Array.from({ length: 60 }, (_, i) =>
      summary({
        region: `region-${i}`,
        counts: { create: 400, update: 0, delete: 0, replace: 0 },
        resources: { create: many, update: [], delete: [], replace: [] },
      }),
    );
    const body = renderComment({ summaries });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain('| `region-59` | plan | test | 400 | 0 | 0 | 0 | ✅ planned |');
  });
});
