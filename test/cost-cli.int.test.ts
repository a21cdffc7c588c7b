// kubecdn cost as a user runs it: the built CLI, in a git repository whose change switches a region
// on, with a price table given by --prices (figures of the test's own) and with the committed one.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PriceEntry, PriceTable, RegionPrices } from '../src/core/cost/prices.js';
import { COMMITTED_PRICES } from '../src/core/cost/table.js';
import { CDN_YAML, region } from './fixtures.js';
import { Repo } from './git-repo.js';
import { kubecdn } from './run.js';

const p = (usd: number): PriceEntry => ({ usd, source: 'sheet' });
const priced = (): RegionPrices => ({
  eks_cluster_hour: p(0.1),
  eks_extended_support_hour: p(0.5),
  nat_gateway_hour: p(0.05),
  nat_gateway_gb: p(0.05),
  nlb_hour: p(0.025),
  nlb_nlcu_hour: p(0.006),
  public_ipv4_hour: p(0.005),
  data_transfer_out_gb: p(0.1),
  data_transfer_out_next_40tb_gb: p(0.085),
  data_transfer_out_next_100tb_gb: p(0.07),
  data_transfer_out_over_150tb_gb: p(0.05),
  instances: { 'c7i.large': { on_demand_hour: p(0.1), auto_mode_hour: p(0.012) } },
});

/** The committed table, with every price of the three regions the test uses filled in. */
function sheet(): PriceTable {
  return {
    ...COMMITTED_PRICES,
    date: '2026-11-20',
    sources: [...COMMITTED_PRICES.sources, { id: 'sheet', url: 'https://example.com/sheet', read: '2026-11-20' }],
    regions: { ...COMMITTED_PRICES.regions, 'us-east-1': priced(), 'eu-west-1': priced(), 'ap-south-1': priced() },
  };
}

function repo(): Repo {
  const r = new Repo()
    .regions({
      alwaysOn: `regions:\n${region('us-east-1')}`,
      scalable: `regions:\n${region('eu-west-1', { enabled: true })}${region('ap-south-1', { enabled: false })}`,
      cdn: CDN_YAML,
    })
    .commit('the CDN');
  r.regions({
    alwaysOn: `regions:\n${region('us-east-1')}`,
    scalable: `regions:\n${region('eu-west-1', { enabled: true })}${region('ap-south-1', { enabled: true })}`,
    cdn: CDN_YAML,
  });
  return r;
}

describe('kubecdn cost', () => {
  // A region of the fixtures: 3 zones, 2 to 6 c7i.large nodes, HTTPS health check, default traffic.
  // Fixed: 73 + (3 × 730 × 0.05 + 100 × 0.05 = 114.50) + (730 × 0.025 + 1,000 × 0.006 = 24.25)
  //        + 6 × 730 × 0.005 = 21.90 + 1.00 (the basic check free, HTTPS $1) + 1,000 × 0.1 = 100  →  334.65
  // Nodes: 2 and 6 × 730 × 0.112 = 163.52 and 490.56  →  $498.17 to $825.21 a region.
  it('shows the region switched on, its delta and the total, and what it assumed', () => {
    const r = repo();
    const table = path.join(r.root, 'sheet.json');
    writeFileSync(table, JSON.stringify(sheet()));
    const ran = kubecdn(['cost', '--base', 'main', '--prices', table], { cwd: r.root });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('ap-south-1  $498.17 to $825.21 a month');
    expect(ran.stdout).toMatch(/ap-south-1\s+on\s+\$0 → \$498.17 to \$825.21 {2}\(\+\$498.17 to \+\$825.21 a month\)/);
    expect(ran.stdout).toContain('Total: $996.34 to $1,650 → $1,495 to $2,476 a month (+$498.17 to +$825.21)');
    expect(ran.stdout).toContain('Assumed per serving region a month: 1,000 GB out, 50,000,000 requests, 100 GB from the origin');
    expect(ran.stdout).toContain('730 hours a month; prices read 2026-11-20');
  });

  it('as Markdown is the comment’s section, and --traffic changes the assumption it states', () => {
    const r = repo();
    const table = path.join(r.root, 'sheet.json');
    writeFileSync(table, JSON.stringify(sheet()));
    const ran = kubecdn(['cost', '--base', 'main', '--prices', table, '--format', 'markdown', '--traffic', 'gb=2000'], { cwd: r.root });
    expect(ran.code).toBe(0);
    // 1,000 GB more: $100 of data out and 1,000 NLCU-h × $0.006 = $6 more than above.
    expect(ran.stdout).toContain('| `ap-south-1` | on | $0 | $604.17 to $931.21 | +$604.17 to +$931.21 |');
    expect(ran.stdout).toContain('2,000 GB out');
    expect(ran.stdout).toContain('<details><summary><b>ap-south-1</b>: $604.17 to $931.21 a month</summary>');
  });

  /** The sheet with ap-south-1's NAT gateway hour and us-east-1's Auto Mode fee missing. */
  function gappy(root: string): string {
    const t = sheet() as unknown as { regions: Record<string, RegionPrices> };
    const ap = t.regions['ap-south-1'] as RegionPrices;
    const us = t.regions['us-east-1'] as RegionPrices;
    t.regions['ap-south-1'] = { ...ap, nat_gateway_hour: { missing: 'not published' } };
    t.regions['us-east-1'] = {
      ...us,
      instances: { 'c7i.large': { on_demand_hour: p(0.1), auto_mode_hour: { missing: 'not published' } } },
    };
    const file = path.join(root, 'gappy.json');
    writeFileSync(file, JSON.stringify(t));
    return file;
  }

  it('with a price missing, names every missing price by region and item, and exits 1', () => {
    const r = repo();
    const ran = kubecdn(['cost', '--base', 'main', '--prices', gappy(r.root)], { cwd: r.root });
    expect(ran.code).toBe(1);
    // The fixed parts above but the NAT gateways: 73 + 24.25 + 21.90 + 1 + 100 = 220.15, and the nodes.
    expect(ran.stdout).toContain('ap-south-1  at least $383.67 to at least $710.71 a month (1 price missing)');
    expect(ran.stdout).toMatch(
      /ap-south-1\s+on\s+\$0 → at least \$383\.67 to at least \$710\.71 {2}\(at least \+\$383\.67 to at least \+\$710\.71 a month\)/,
    );
    expect(ran.stdout).toContain('ap-south-1: NAT gateway hour');
    expect(ran.stdout).toContain('us-east-1: c7i.large EKS Auto Mode fee hour');
    expect(ran.stdout).not.toMatch(/ap-south-1\s+on\s+\$0 → \$0/);
    // As JSON: min and max only for exact figures (null otherwise, as an unknown one always was), and the bound by name.
    const json = JSON.parse(kubecdn(['cost', '--base', 'main', '--prices', gappy(r.root), '--format', 'json'], { cwd: r.root }).stdout) as {
      changed: unknown[];
      after: { regions: unknown[] };
    };
    expect(json.changed).toEqual([
      { region: 'ap-south-1', change: 'on', min: null, max: null, bound: 'at-least', at_least: { min: 383.67, max: 710.71 } },
    ]);
    expect(json.after.regions).toContainEqual(
      expect.objectContaining({ region: 'ap-south-1', min: null, max: null, bound: 'at-least', at_least: { min: 383.67, max: 710.71 } }),
    );
  });

  it('with --allow-missing, exits 0 on missing prices alone and lists them, for the plan comment', () => {
    const r = repo();
    const ran = kubecdn(['cost', '--base', 'main', '--prices', gappy(r.root), '--format', 'markdown', '--allow-missing'], { cwd: r.root });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('ap-south-1');
    expect(ran.stderr).toBe(
      'kubecdn cost: 2 prices missing (figures that need them are lower bounds or unknown):\n  us-east-1: c7i.large EKS Auto Mode fee hour\n  ap-south-1: NAT gateway hour\n',
    );
    // Anything else still fails: an invalid region file exits 1 even with --allow-missing.
    r.regions({ alwaysOn: 'regions: 3\n', scalable: 'regions: []\n', cdn: CDN_YAML });
    expect(kubecdn(['cost', '--base', 'main', '--allow-missing'], { cwd: r.root }).code).toBe(1);
  });

  it('kubecdn latency prices the region that would help most from --prices', () => {
    const r = new Repo()
      .regions({
        alwaysOn: `regions:\n${region('us-east-1')}`,
        scalable: `regions:\n${region('eu-west-1', { enabled: true })}${region('ap-south-1', { enabled: false })}`,
        cdn: CDN_YAML,
      })
      .commit('the CDN');
    const table = path.join(r.root, 'sheet.json');
    writeFileSync(table, JSON.stringify(sheet()));
    const ran = kubecdn(['latency', '--base', 'main', '--prices', table], { cwd: r.root });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/would help most if switched on: ap-south-1 \(−\d+ ms on average; \+\$498\.17 to \+\$825\.21 a month/);
  });

  it('refuses a price table that is not one', () => {
    const r = repo();
    writeFileSync(path.join(r.root, 'bad.json'), JSON.stringify({ date: 'today' }));
    const ran = kubecdn(['cost', '--base', 'main', '--prices', 'bad.json'], { cwd: r.root });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^kubecdn: --prices \S*bad\.json is not a price table: date: not YYYY-MM-DD/);
  });
});
