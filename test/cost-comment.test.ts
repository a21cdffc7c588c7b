// The plan comment with everything at once, as the plan workflow assembles it: 60 regions of large
// plans, the cost section as `kubecdn cost --format markdown` prints it (costChangeToMarkdown, with
// its per-region breakdowns), the latency section with its map, and the DNS section as sync-dns's
// dry run renders it (dnsPlanToMarkdown), in the order plan-regions places them, still within
// GitHub's comment limit; and the latency line that ranks switched-off regions by what they cost.
import { describe, expect, it } from 'vitest';
import { COMMENT_LIMIT, renderComment } from '../src/core/comment.js';
import { loadConfig, type Config } from '../src/core/config.js';
import { costChange, type CostChange, type CostOptions } from '../src/core/cost/model.js';
import { servableRegions, type PriceEntry, type PriceTable, type RegionPrices } from '../src/core/cost/prices.js';
import { costChangeToMarkdown } from '../src/core/cost/render.js';
import { desiredState, type Target } from '../src/core/dns/desired.js';
import { planDns } from '../src/core/dns/plan.js';
import { dnsPlanToMarkdown } from '../src/core/dns/render.js';
import { DNS_TITLE } from '../actions/plan-regions/main.js';
import { candidateCosts } from '../src/core/cost/value.js';
import { latencyImpact, latencyToMarkdown, latencyToText } from '../src/core/latency/impact.js';
import { COST_TITLE, LATENCY_TITLE } from '../src/core/preview.js';
import { cities } from '../src/node/cities.js';
import { largePlan, summary } from './builders.js';
import { CDN_YAML } from './fixtures.js';

const p = (usd: number): PriceEntry => ({ usd, source: 'sheet' });
const prices = (i: number): RegionPrices => ({
  eks_cluster_hour: p(0.1),
  eks_extended_support_hour: p(0.5),
  nat_gateway_hour: p(0.045 + i / 1000),
  nat_gateway_gb: p(0.045),
  nlb_hour: p(0.0225),
  nlb_nlcu_hour: p(0.006),
  public_ipv4_hour: p(0.005),
  data_transfer_out_gb: p(0.09 + i / 100),
  data_transfer_out_next_40tb_gb: p(0.085),
  data_transfer_out_next_100tb_gb: p(0.07),
  data_transfer_out_over_150tb_gb: p(0.05),
  instances: { 'c7i.large': { on_demand_hour: p(0.09 + i / 1000), auto_mode_hour: p(0.0107) } },
});
/** Every servable region priced, with figures of the test's own. */
const TABLE: PriceTable = {
  date: '2026-11-01',
  made_by: 'test',
  currency: 'USD',
  sources: [{ id: 'sheet', url: 'https://example.com/sheet', read: '2026-11-01' }],
  global: { route53_health_check_month: p(0.5), route53_health_check_option_month: p(1), route53_latency_queries_million: p(0.6) },
  regions: Object.fromEntries(servableRegions().map((code, i) => [code, prices(i)])),
};
const OPTIONS: CostOptions = { prices: TABLE, today: '2026-11-25' };

function config(on: (code: string, i: number) => boolean, maxSize = 8): Config {
  const [first, ...rest] = servableRegions();
  const entry = (code: string, enabled?: boolean) =>
    [
      `  - region: ${code}`,
      ...(enabled === undefined ? [] : [`    enabled: ${String(enabled)}`]),
      '    cluster:',
      '      kubernetes_version: "1.35"',
      '      node_groups:',
      '        - name: edge',
      '          instance_types: [c7i.large]',
      '          min_size: 2',
      `          max_size: ${maxSize}`,
      '    edge:',
      '      min_replicas: 2',
      '      max_replicas: 8',
      '      cache_size: 10Gi',
    ].join('\n');
  const result = loadConfig(
    {
      'always-on': { path: 'regions/always-on.yaml', text: `regions:\n${entry(first ?? 'us-east-1')}\n` },
      scalable: { path: 'regions/scalable.yaml', text: `regions:\n${rest.map((c, i) => entry(c, on(c, i))).join('\n')}\n` },
      cdn: { path: 'regions/cdn.yaml', text: CDN_YAML },
    },
    {},
  );
  if (!result.config) throw new Error(result.problems.map((x) => x.message).join('\n'));
  return result.config;
}

describe('a node change with the Auto Mode fee missing', () => {
  it('shows the EC2 delta as a lower bound in the comment, not unknown', () => {
    // Every region's c7i.large fee missing, its EC2 price there: max_size 8 → 12 in every serving
    // region, the same type, so the fee part costs no less and the EC2 part is priced.
    const noFee: PriceTable = {
      ...TABLE,
      regions: Object.fromEntries(
        Object.entries(TABLE.regions).map(([code, r]) => [
          code,
          { ...r, instances: { 'c7i.large': { on_demand_hour: p(0.1), auto_mode_hour: { missing: 'not published' } } } },
        ]),
      ),
    };
    const options: CostOptions = { prices: noFee, today: '2026-11-25' };
    const base = config(() => false);
    const head = config(() => false, 12);
    const change = costChange(base, head, options);
    const first = servableRegions()[0] ?? '';
    // 4 nodes more at the maximum: 4 × 730 h × $0.10 = $292.00; at the minimum, nothing changes.
    expect(change.changed.map((d) => [d.region, d.figure.bound, d.figure.min])).toEqual([[first, 'at-least', 0]]);
    expect(change.changed[0]?.figure.max).toBeCloseTo(292, 6);
    const body = renderComment({
      summaries: [summary({ region: first, planText: largePlan(first, 20) })],
      fullPlans: 'the job summary of run 42',
      sections: [{ title: COST_TITLE, body: costChangeToMarkdown(change) }],
    });
    expect(body).toMatch(
      new RegExp(`\\| \`${first}\` \\| changed \\| at least [^|]+ \\| at least [^|]+ \\| at least ±\\$0 to at least \\+\\$292\\.00 \\|`),
    );
    expect(body).not.toContain('| unknown |');
  });
});

describe('the comment with plans, latency and cost of 60 regions', () => {
  it('fits GitHub’s limit, with every region’s cost row and the latency section', () => {
    const base = config(() => false);
    const head = config((_, i) => i % 3 !== 0);
    const real = costChange(base, head, OPTIONS);
    // 60 rows: the real changes, and as many again under suffixed names, as the plans test does.
    const rows = [...real.changed, ...real.changed.map((d) => ({ ...d, region: `${d.region}-b` }))].slice(0, 60);
    for (let k = 0; rows.length < 60; k++) {
      const d = real.changed[k % real.changed.length];
      if (d) rows.push({ ...d, region: `extra-${k}` });
    }
    const change: CostChange = { ...real, changed: rows };
    const latency = latencyImpact(cities(), base, head);
    const costs = candidateCosts(latency, head, OPTIONS);
    const summaries = rows.map((d, i) => summary({ region: d.region, planText: largePlan(d.region, 200 + 40 * i) }));
    // sync-dns's dry run against an empty zone: every serving region's records and checks to create.
    const serving = head.regions.filter((r) => r.serving).map((r) => r.region);
    const targets: Record<string, Target> = Object.fromEntries(
      serving.map((c) => [c, { dnsName: `edge-${c}.elb.${c}.amazonaws.com`, hostedZoneId: 'Z26RNL4JYFTOTI' }]),
    );
    const dns = dnsPlanToMarkdown(planDns(desiredState({ config: head, targets }), { zoneId: 'Z0TEST', records: [], healthChecks: [] }));
    const cost = costChangeToMarkdown(change, latency);
    const body = renderComment({
      summaries,
      fullPlans: 'the job summary of run 42',
      sections: [
        { title: COST_TITLE, body: cost },
        { title: LATENCY_TITLE, body: latencyToMarkdown(latency, { costs }) },
        { title: DNS_TITLE, body: dns },
      ],
    });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    // The sections arrive whole: the cost breakdowns and every DNS row.
    expect(body).toContain(cost);
    expect(body).toContain(dns);
    expect(body).toContain(`<details><summary><b>${serving[1] ?? ''}</b>: `);
    for (const code of serving) expect(body).toContain(`| \`${code}\` |`);
    expect(body).toContain('### DNS after merge');
    for (const d of rows) expect(body).toContain(`| \`${d.region}\` | `);
    expect(body).toContain('### Cost a month');
    expect(body).toMatch(
      /\*\*Total:\*\* \$[\d,.]+ to \$[\d,.]+ → \$[\d,.]+ to \$[\d,.]+ a month \(\+\$[\d,.]+ to \+\$[\d,.]+\); p95 \d+ ms → \d+ ms \(−\d+ ms\)/,
    );
    expect(body).toContain('730 hours a month; prices read 2026-11-01');
    expect(body).toContain('```geojson');
    // Every plan still shows, cut to its share.
    expect([...body.matchAll(/more lines cut to fit the comment/g)]).toHaveLength(60);
  });
});

describe('what the money buys', () => {
  it('gives the "would help most" line the cost, and names the best buy per dollar', () => {
    const head = config((_, i) => i % 2 === 0);
    const latency = latencyImpact(cities(), head, head);
    const costs = candidateCosts(latency, head, OPTIONS);
    const best = latency.candidates[0];
    const text = latencyToText(latency, { costs });
    const own = costs.ranked.find((c) => c.region === best?.region);
    expect(own).toBeDefined();
    expect(text).toContain(`would help most if switched on: ${best?.region ?? ''} (−`);
    expect(text).toMatch(
      new RegExp(`${best?.region ?? ''} \\(−\\d+ ms on average; \\+\\$[\\d,.]+ to \\+\\$[\\d,.]+ a month, \\d+\\.\\d ms per \\$1,000\\)`),
    );
    // Ranked by milliseconds won per $1,000 a month, highest first.
    const values = costs.ranked.map((c) => c.msPerThousand);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(costs.bestValue?.region).toBe(costs.ranked[0]?.region);
  });

  it('with a price missing, gives the line a lower bound on the cost and an upper bound on the value, and ranks it after the exact ones', () => {
    const head = config((_, i) => i % 2 === 0);
    const latency = latencyImpact(cities(), head, head);
    const best = latency.candidates[0]?.region ?? '';
    const fee = { missing: 'not published' };
    const gappy: PriceTable = {
      ...TABLE,
      regions: {
        ...TABLE.regions,
        [best]: { ...(TABLE.regions[best] as RegionPrices), instances: { 'c7i.large': { on_demand_hour: p(0.1), auto_mode_hour: fee } } },
      },
    };
    const costs = candidateCosts(latency, head, { ...OPTIONS, prices: gappy });
    const own = costs.ranked.find((c) => c.region === best);
    expect(own?.cost.bound).toBe('at-least');
    expect(own?.min).toBeNaN();
    expect(costs.ranked.at(-1)?.region).toBe(best);
    const text = latencyToText(latency, { costs });
    expect(text).toContain(
      `would help most if switched on: ${best} (−${(latency.candidates[0]?.savedMs ?? 0).toFixed(0)} ms on average; at least +$${own?.cost.min.toFixed(2) ?? ''} to at least +$${Math.round(own?.cost.max ?? 0).toLocaleString('en-US')} a month as priced so far, at most ${((1000 * (own?.savedMs ?? 0)) / (own?.cost.min ?? 1)).toFixed(1)} ms per $1,000)`,
    );
  });
});
