// The autoscale decision on small fixture series: pure, no Prometheus (the integration test
// test/autoscale-history.int.test.ts runs the same rules against a real one).
import { describe, expect, it } from 'vitest';
import { decideAutoscale, demandByRegion, durationSeconds, type AutoscaleInput, type Sample } from '../src/core/autoscale.js';
import { autoscaleToMarkdown, autoscaleToText } from '../src/core/autoscale-render.js';
import { cdnCost, type CostOptions } from '../src/core/cost/model.js';
import { regionSwitchCost } from '../src/core/cost/switch.js';
import { usd } from '../src/core/cost/render.js';
import type { PriceEntry, PriceTable, RegionPrices } from '../src/core/cost/prices.js';
import { CDN_YAML, load, region } from './fixtures.js';

const scaling = (enable: number, enableFor: number, disable: number, disableFor: number) =>
  `    scaling:\n      enable_when: { requests_per_second: ${enable}, for_minutes: ${enableFor} }\n      disable_when: { requests_per_second: ${disable}, for_minutes: ${disableFor} }\n`;

const scalable = `regions:\n${[
  region('eu-west-1', { enabled: true, extra: scaling(2000, 15, 300, 60) }),
  region('ap-south-1', { enabled: false, extra: scaling(1500, 15, 200, 60) }),
  region('sa-east-1', { enabled: false, extra: scaling(1000, 30, 100, 60) }),
].join('')}`;

const loaded = load({ scalable });
if (!loaded.config) throw new Error(JSON.stringify(loaded.problems));
const config = loaded.config;

const AT = Date.parse('2026-11-25T12:00:00Z') / 1000;
const STEP = 60;

/** A sample a minute for the last `minutes` minutes up to AT, each from `value(minutesAgo)`. */
function series(minutes: number, value: (ago: number) => number): Sample[] {
  return Array.from({ length: minutes + 1 }, (_, i) => ({ t: AT - (minutes - i) * 60, v: value(minutes - i) }));
}

function input(demand: Record<string, Sample[]>, overrides: Partial<AutoscaleInput> = {}): AutoscaleInput {
  return {
    config,
    at: AT,
    step: STEP,
    demand: new Map(Object.entries(demand)),
    lastChanged: new Map(),
    settings: { cooldownSeconds: 6 * 3600, maxChanges: 1 },
    ...overrides,
  };
}

const byRegion = (i: AutoscaleInput) => Object.fromEntries(decideAutoscale(i).map((d) => [d.region, d]));

// Demand that keeps every region as it is: eu-west-1 busy, the others quiet.
const steady = { 'eu-west-1': series(60, () => 900), 'ap-south-1': series(60, () => 50), 'sa-east-1': series(60, () => 20) };

describe('decideAutoscale', () => {
  it('gives one decision for every region of both files, always-on untouched whatever the demand', () => {
    const d = decideAutoscale(input({ ...steady, 'us-east-1': series(60, () => 0) }));
    expect(d.map((x) => [x.region, x.action])).toEqual([
      ['us-east-1', 'keep'],
      ['eu-west-1', 'keep'],
      ['ap-south-1', 'keep'],
      ['sa-east-1', 'keep'],
    ]);
    expect(d[0]?.reason).toBe('always-on: autoscale never changes it');
  });

  it('enables a switched-off region whose demand stayed above the threshold for the whole window', () => {
    const d = byRegion(input({ ...steady, 'ap-south-1': series(60, (ago) => (ago <= 15 ? 1800 + ago : 100)) }));
    expect(d['ap-south-1']).toMatchObject({
      action: 'enable',
      reason: 'demand stayed above 1500 req/s for 15 min (lowest 1800)',
      evidence: { observed: 'min', value: 1800, threshold: 1500, windowMinutes: 15, samples: 16, expectedSamples: 16 },
    });
  });

  it('does not enable on a spike: one dip below the threshold inside the window is enough to wait', () => {
    const d = byRegion(input({ ...steady, 'ap-south-1': series(60, (ago) => (ago === 7 ? 900 : 5000)) }));
    expect(d['ap-south-1']).toMatchObject({ action: 'keep', reason: 'demand fell to 900 req/s in the last 15 min, not above 1500' });
    // A spike of a few minutes only is not sustained either.
    const spike = byRegion(input({ ...steady, 'ap-south-1': series(60, (ago) => (ago < 5 ? 9000 : 100)) }));
    expect(spike['ap-south-1']?.action).toBe('keep');
  });

  it('disables a serving region only when the lull lasted the whole window', () => {
    const long = byRegion(input({ ...steady, 'eu-west-1': series(60, () => 120) }));
    expect(long['eu-west-1']).toMatchObject({
      action: 'disable',
      reason: 'demand stayed below 300 req/s for 60 min (peak 120)',
      evidence: { observed: 'max', value: 120, samples: 61 },
    });
    const short = byRegion(input({ ...steady, 'eu-west-1': series(60, (ago) => (ago < 40 ? 120 : 900)) }));
    expect(short['eu-west-1']).toMatchObject({ action: 'keep', reason: 'demand reached 900 req/s in the last 60 min, not below 300' });
  });

  it('changes nothing on missing or sparse data, and says why', () => {
    const none = byRegion(input({ ...steady, 'eu-west-1': [] }));
    expect(none['eu-west-1']).toMatchObject({ action: 'keep', reason: 'no demand data in the last 60 min' });
    const absent = byRegion(input({ 'ap-south-1': steady['ap-south-1'] }));
    expect(absent['eu-west-1']?.reason).toBe('no demand data in the last 60 min');
    // Half the minutes missing: a quiet hour cannot be told from a scrape outage.
    const sparse = byRegion(input({ ...steady, 'eu-west-1': series(60, () => 10).filter((_, i) => i % 2 === 0) }));
    expect(sparse['eu-west-1']).toMatchObject({ action: 'keep', reason: 'too sparse: 31 of 61 samples in the last 60 min' });
  });

  it('respects the cooldown after enabled last changed, and acts once it has passed', () => {
    const quiet = { ...steady, 'eu-west-1': series(60, () => 10) };
    const recent = byRegion(input(quiet, { lastChanged: new Map([['eu-west-1', AT - 3600]]) }));
    expect(recent['eu-west-1']).toMatchObject({
      action: 'keep',
      lastChanged: '2026-11-25T11:00:00Z',
      reason:
        'would disable (demand stayed below 300 req/s for 60 min (peak 10)), but enabled changed at 2026-11-25T11:00:00Z: cooling down until 2026-11-25T17:00:00Z',
    });
    expect(recent['eu-west-1']?.latency).toBeUndefined(); // no places given
    const places = [{ name: 'Dublin', country: 'IE', population: 1_000_000, latitude: 53.35, longitude: -6.26 }];
    const held = byRegion(input(quiet, { lastChanged: new Map([['eu-west-1', AT - 3600]]), places }))['eu-west-1']?.latency;
    expect(held && held.p50After > held.p50Before).toBe(true);
    const old = byRegion(input(quiet, { lastChanged: new Map([['eu-west-1', AT - 7 * 3600]]) }));
    expect(old['eu-west-1']?.action).toBe('disable');
  });

  it('makes at most max-changes changes, enables first, then the furthest past its threshold', () => {
    const busy = {
      'eu-west-1': series(60, () => 10),
      'ap-south-1': series(60, () => 1600),
      'sa-east-1': series(60, () => 3000),
    };
    const places = [
      { name: 'Mumbai', country: 'IN', population: 12_000_000, latitude: 19.07, longitude: 72.88 },
      { name: 'São Paulo', country: 'BR', population: 1_000_000, latitude: -23.55, longitude: -46.63 },
    ];
    const one = byRegion(input(busy, { places }));
    expect([one['sa-east-1']?.action, one['ap-south-1']?.action, one['eu-west-1']?.action]).toEqual(['enable', 'keep', 'keep']);
    // Held back by the cap, it still carries what enabling it would change.
    const held = one['ap-south-1']?.latency;
    expect(held && held.p50After < held.p50Before).toBe(true);
    expect(one['ap-south-1']?.reason).toMatch(/^would enable \(.*\), but this run already makes 1 change \(max changes\)$/);
    const all = byRegion(input(busy, { settings: { cooldownSeconds: 0, maxChanges: 3 } }));
    expect([all['sa-east-1']?.action, all['ap-south-1']?.action, all['eu-west-1']?.action]).toEqual(['enable', 'enable', 'disable']);
  });

  it('never disables the last serving region', () => {
    const onlyScalable = { ...config, regions: config.regions.filter((r) => r.tier === 'scalable') };
    const d = byRegion(
      input({ ...steady, 'eu-west-1': series(60, () => 1) }, { config: onlyScalable, settings: { cooldownSeconds: 0, maxChanges: 5 } }),
    );
    expect(d['eu-west-1']).toMatchObject({
      action: 'keep',
      reason: 'would disable (demand stayed below 300 req/s for 60 min (peak 1)), but it is the last serving region',
    });
  });

  it('carries the modelled latency change of what it proposes', () => {
    const places = [
      { name: 'Mumbai', country: 'IN', population: 12_000_000, latitude: 19.07, longitude: 72.88 },
      { name: 'New York', country: 'US', population: 8_000_000, latitude: 40.71, longitude: -74.0 },
    ];
    const d = byRegion(input({ ...steady, 'ap-south-1': series(60, () => 2000) }, { places }));
    const l = d['ap-south-1']?.latency;
    expect(l && l.p50After < l.p50Before).toBe(true);
    // Kept by its rule, eu-west-1 still says what switching it off would do: Mumbai's users are
    // served from Ireland until ap-south-1 is on, and that change is taken first.
    const eu = d['eu-west-1']?.latency;
    expect(eu && eu.p95After >= eu.p95Before).toBe(true);
    expect(d['eu-west-1']?.action).toBe('keep');
    // Always-on regions carry their demand too, with no threshold: no rule switches them.
    expect(d['us-east-1']?.evidence).toMatchObject({ observed: 'max', threshold: null, windowMinutes: 60, samples: 0 });
    expect(d['us-east-1']?.latency).toBeUndefined();
    const report = {
      at: '2026-11-25T12:00:00Z',
      cooldown: '6h',
      maxChanges: 1,
      decisions: decideAutoscale(input({ ...steady, 'ap-south-1': series(60, () => 2000) }, { places })),
    };
    expect(autoscaleToMarkdown(report)).toContain(
      '| `ap-south-1` | disabled | **enable** | min 2000 req/s over 15 min | > 1500 req/s | 16/16 |',
    );
    expect(autoscaleToText(report)).toMatch(/ap-south-1 +disabled +enable +demand stayed above 1500 req\/s for 15 min \(lowest 2000\)/);
  });
});

describe('the window the rule looks at', () => {
  const only = (s: Sample[]) => byRegion(input({ ...steady, 'ap-south-1': s }))['ap-south-1'];

  it('needs demand strictly past the threshold: equal to it is not above, nor below', () => {
    expect(only(series(60, () => 1500))).toMatchObject({
      action: 'keep',
      reason: 'demand fell to 1500 req/s in the last 15 min, not above 1500',
    });
    expect(only(series(60, () => 1500.1))?.action).toBe('enable');
    const eu = (v: number) => byRegion(input({ ...steady, 'eu-west-1': series(60, () => v) }))['eu-west-1'];
    expect(eu(300)).toMatchObject({ action: 'keep', reason: 'demand reached 300 req/s in the last 60 min, not below 300' });
    expect(eu(299.9)?.action).toBe('disable');
  });

  it('acts at exactly the coverage it needs (90%), and not one sample below it', () => {
    // 15 minutes hold 16 samples; 90% of them is 14.4, so 15 will do and 14 will not.
    const fifteen = series(60, () => 2000).filter((x) => x.t !== AT - 7 * 60);
    expect(only(fifteen)).toMatchObject({ action: 'enable', evidence: { samples: 15, expectedSamples: 16 } });
    const fourteen = fifteen.filter((x) => x.t !== AT - 3 * 60);
    expect(only(fourteen)).toMatchObject({ action: 'keep', reason: 'too sparse: 14 of 16 samples in the last 15 min' });
    // An hour holds 61: 55 (90.2%) will do, 54 (88.5%) will not.
    const hour = (drop: number[]) =>
      byRegion(input({ ...steady, 'eu-west-1': series(60, () => 10).filter((_, i) => !drop.includes(i)) }))['eu-west-1'];
    expect(hour([5, 15, 25, 35, 45, 55])).toMatchObject({ action: 'disable', evidence: { samples: 55 } });
    expect(hour([5, 15, 25, 35, 45, 55, 30])).toMatchObject({ action: 'keep', reason: 'too sparse: 54 of 61 samples in the last 60 min' });
  });

  it('needs a sample within a step of each edge of the window, and no long gap inside it', () => {
    const hour = (keep: (ago: number) => boolean) =>
      byRegion(input({ ...steady, 'eu-west-1': series(60, () => 10).filter((x) => keep((AT - x.t) / 60)) }))['eu-west-1'];
    // 56 of 61 samples, but the first five minutes of the window missing: what came then is unknown.
    expect(hour((ago) => ago < 56)).toMatchObject({
      action: 'keep',
      reason: 'too sparse: no sample in the first 5 min of the last 60 min',
    });
    expect(hour((ago) => ago > 4)).toMatchObject({ action: 'keep', reason: 'too sparse: no sample in the final 5 min of the last 60 min' });
    // One sample a step from each edge is enough.
    expect(hour((ago) => ago !== 60 && ago !== 0)?.action).toBe('disable');
    // Three missing in a row leave four minutes between samples; two leave three, which will do.
    expect(hour((ago) => ago < 30 || ago > 31)?.action).toBe('disable');
    expect(hour((ago) => ago < 30 || ago > 32)).toMatchObject({
      action: 'keep',
      reason: 'too sparse: a gap of 4 min without samples in the last 60 min',
    });
  });
});

describe('demandByRegion', () => {
  const minutes = [0, 1, 2, 3, 4].map((m) => AT - (4 - m) * 60);
  const at = (values: number[]) => values.map((v, i) => ({ t: minutes[i] ?? 0, v }));

  it('counts a minute only when the edges of every serving region were counted then', () => {
    const demand = demandByRegion(
      // eu-west-1's edges stopped reporting for minutes 2 and 3: its users are missing from every figure.
      [
        { near: 'eu-west-1', samples: at([900, 900, 900, 900, 900]).filter((_, i) => i < 2 || i > 3) },
        { near: 'ap-south-1', samples: at([40, 40, 40, 40, 40]) },
      ],
      [
        { region: 'us-east-1', samples: at([3, 3, 3, 3, 3]) },
        { region: 'eu-west-1', samples: at([3, 3, 0, 0, 3]).filter((x) => x.v > 0) },
      ],
      ['us-east-1', 'eu-west-1', 'ap-south-1', 'sa-east-1'],
      ['us-east-1', 'eu-west-1'],
    );
    const times = (r: string) => demand.get(r)?.map((x) => (x.t - AT) / 60);
    expect(times('eu-west-1')).toEqual([-4, -3, 0]);
    expect(times('ap-south-1')).toEqual([-4, -3, 0]);
    // Nobody near sa-east-1 at a counted minute is 0 there; at the others it is missing.
    expect(demand.get('sa-east-1')).toEqual(at([0, 0, 0, 0, 0]).filter((_, i) => i < 2 || i > 3));
  });

  it('has no minute at all when a serving region never reported', () => {
    const demand = demandByRegion(
      [{ near: 'us-east-1', samples: at([5, 5, 5, 5, 5]) }],
      [{ region: 'us-east-1', samples: at([1, 1, 1, 1, 1]) }],
      ['us-east-1', 'eu-west-1'],
      ['us-east-1', 'eu-west-1'],
    );
    expect(demand.get('us-east-1')).toEqual([]);
    expect(demand.get('eu-west-1')).toEqual([]);
  });
});

const p = (usd: number): PriceEntry => ({ usd, source: 'sheet' });
/** A region of the tests' price sheet: its figures are the test's own, not AWS's. */
const one = (): RegionPrices => ({
  eks_cluster_hour: p(0.1),
  eks_extended_support_hour: p(0.5),
  nat_gateway_hour: p(0.045),
  nat_gateway_gb: p(0.045),
  nlb_hour: p(0.0225),
  nlb_nlcu_hour: p(0.006),
  public_ipv4_hour: p(0.005),
  data_transfer_out_gb: p(0.09),
  data_transfer_out_next_40tb_gb: p(0.085),
  data_transfer_out_next_100tb_gb: p(0.07),
  data_transfer_out_over_150tb_gb: p(0.05),
  instances: { 'c7i.large': { on_demand_hour: p(0.1), auto_mode_hour: p(0.012) } },
});

describe('what each switch costs, and the budget', () => {
  const prices = (regions: string[]): PriceTable => {
    return {
      date: '2026-11-01',
      made_by: 'test',
      currency: 'USD',
      sources: [{ id: 'sheet', url: 'https://example.com/sheet', read: '2026-11-01' }],
      global: { route53_health_check_month: p(0.5), route53_health_check_option_month: p(1), route53_latency_queries_million: p(0.6) },
      regions: Object.fromEntries(regions.map((r) => [r, one()])),
    };
  };
  const all = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1', 'sa-east-1'];
  const options: CostOptions = { prices: prices(all), today: '2026-11-25' };
  const withBudget = (usd: number | undefined) => {
    const l = load({ scalable, ...(usd === undefined ? {} : { cdn: `${CDN_YAML}  budget:\n    monthly_usd: ${usd}\n` }) });
    if (!l.config) throw new Error(JSON.stringify(l.problems));
    return l.config;
  };
  const busy = { 'eu-west-1': series(60, () => 10), 'ap-south-1': series(60, () => 1600), 'sa-east-1': series(60, () => 3000) };
  const serving = (c: typeof config, on: string[]) => ({
    ...c,
    regions: c.regions.map((r) => (on.includes(r.region) ? { ...r, serving: true } : r)),
  });
  const decide = (c: typeof config, o: CostOptions = options) =>
    byRegion(input(busy, { config: c, costOptions: o, settings: { cooldownSeconds: 0, maxChanges: 3 } }));

  it('shows each enable’s monthly cost change, and the saving of each disable', () => {
    const d = decide(withBudget(undefined));
    const sa = cdnCost(serving(config, ['sa-east-1']), options).max - cdnCost(config, options).max;
    expect(d['sa-east-1']).toMatchObject({ action: 'enable' });
    expect(d['sa-east-1']?.cost).toMatchObject({ max: expect.closeTo(sa, 2) as number });
    expect(d['eu-west-1']?.cost && 'max' in d['eu-west-1'].cost && d['eu-west-1'].cost.max < 0).toBe(true);
    const report = {
      at: '2026-11-25T12:00:00Z',
      cooldown: '6h',
      maxChanges: 3,
      decisions: decideAutoscale(input(busy, { costOptions: options })),
    };
    expect(autoscaleToMarkdown(report)).toMatch(
      /\| `sa-east-1` \| disabled \| \*\*enable\*\* \|.*\| \+\$[\d,.]+ to \+\$[\d,.]+ a month \|/,
    );
    expect(autoscaleToText(report)).toMatch(/cost: \+\$[\d,.]+ to \+\$[\d,.]+ a month/);
  });

  it('judges the enables together: each fits the budget alone, both do not, so the lower-ranked waits', () => {
    const c = withBudget(1);
    const now = cdnCost(config, options).max;
    const withSa = cdnCost(serving(config, ['sa-east-1']), options).max;
    const withAp = cdnCost(serving(config, ['ap-south-1']), options).max;
    const both = cdnCost(serving(config, ['sa-east-1', 'ap-south-1']), options).max;
    // A budget each enable fits alone (with eu-west-1's disable taken too), and the pair does not.
    const saving =
      now -
      cdnCost({ ...config, regions: config.regions.map((r) => (r.region === 'eu-west-1' ? { ...r, serving: false } : r)) }, options).max;
    const budget = Math.round(Math.max(withSa, withAp) - saving + 1);
    expect(both - saving).toBeGreaterThan(budget);
    const d = decide({ ...c, cdn: { ...c.cdn, budget: { monthly_usd: budget } } });
    expect([d['sa-east-1']?.action, d['ap-south-1']?.action, d['eu-west-1']?.action]).toEqual(['enable', 'keep', 'disable']);
    expect(d['ap-south-1']?.reason).toMatch(
      new RegExp(
        `^would enable \\(demand stayed above 1500 req/s for 15 min \\(lowest 1600\\)\\), but with the changes proposed the CDN would cost up to \\$[\\d,.]+ a month, over the budget of \\$${budget.toLocaleString('en-US')}$`,
      ),
    );
    // A budget nothing more fits: both wait, the disable goes ahead.
    const none = decide({ ...c, cdn: { ...c.cdn, budget: { monthly_usd: 1 } } });
    expect([none['sa-east-1']?.action, none['ap-south-1']?.action, none['eu-west-1']?.action]).toEqual(['keep', 'keep', 'disable']);
  });

  it('with a price missing, holds every enable when a budget is set, and says what the cost is at least when none is', () => {
    const partial: CostOptions = { prices: prices(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1']), today: '2026-11-25' };
    const held = decide(withBudget(1_000_000), partial);
    // sa-east-1 has no prices but the global health check's: its HTTPS option, $1.
    expect(held['sa-east-1']).toMatchObject({ action: 'keep', cost: { min: 1, max: 1, bound: 'at-least' } });
    expect(held['sa-east-1']?.reason).toMatch(
      /^would enable \(.*\), but with the changes proposed the CDN's cost is only known to be at least \$[\d,.]+ a month \(no price for .* in sa-east-1 .*\), so the budget of \$1,000,000 a month cannot be checked$/,
    );
    expect(held['ap-south-1']?.action).toBe('keep');
    const free = decide(withBudget(undefined), partial);
    expect(free['sa-east-1']).toMatchObject({
      action: 'enable',
      cost: { bound: 'at-least', missing: expect.arrayContaining(['sa-east-1: EKS cluster hour']) as string[] },
    });
    const report = { at: '2026-11-25T12:00:00Z', cooldown: '6h', maxChanges: 3, decisions: Object.values(free) };
    expect(autoscaleToMarkdown(report)).toMatch(/\| `sa-east-1` \|.*\| at least \+\$1\.00 a month \|/);
  });

  it('with a price missing, holds back an enable the priced parts alone put over the budget, and says so', () => {
    // sa-east-1 priced but for its Auto Mode fee: switched on, the CDN costs at least what the rest costs.
    const gappy = prices(all);
    const sa = gappy.regions['sa-east-1'] as RegionPrices;
    const options_: CostOptions = {
      prices: {
        ...gappy,
        regions: {
          ...gappy.regions,
          'sa-east-1': { ...sa, instances: { 'c7i.large': { on_demand_hour: p(0.1), auto_mode_hour: { missing: 'not published' } } } },
        },
      },
      today: '2026-11-25',
    };
    const withSa = cdnCost(serving(config, ['sa-east-1']), options_).figure;
    expect(withSa.bound).toBe('at-least');
    // A budget under what is priced, with sa-east-1 alone or with ap-south-1: provably over, for each in turn.
    const budget = 100;
    expect(withSa.max).toBeGreaterThan(budget);
    const over = decide(withBudget(budget), options_);
    expect([over['sa-east-1']?.action, over['ap-south-1']?.action, over['eu-west-1']?.action]).toEqual(['keep', 'keep', 'disable']);
    expect(over['sa-east-1']?.reason).toMatch(
      new RegExp(
        `^would enable \\(.*\\), but with the changes proposed the CDN would cost at least \\$[\\d,.]+ a month, over the budget of \\$${usd(budget).slice(1)} \\(what is priced alone exceeds it; no price for c7i\\.large EKS Auto Mode fee hour in sa-east-1 .*\\)$`,
      ),
    );
    // A budget above what is priced: nothing proven either way, so the enable waits, the budget unchecked.
    const unchecked = decide(withBudget(Math.ceil(withSa.max * 10)), options_);
    expect(unchecked['sa-east-1']?.action).toBe('keep');
    expect(unchecked['sa-east-1']?.reason).toMatch(/, so the budget of \$[\d,.]+ a month cannot be checked$/);
    const text = autoscaleToText({ at: '2026-11-25T12:00:00Z', cooldown: '6h', maxChanges: 3, decisions: Object.values(over) });
    // The EC2 part priced, the fee not: a bound from the minimum to the maximum nodes.
    expect(text).toMatch(/cost: at least \+\$[\d,.]+ to at least \+\$[\d,.]+ a month/);
  });
});

describe('the budget, with a spot pool priced only from above', () => {
  // Every price is in the table, but spot nodes are priced at the on-demand price, the most spot can
  // charge: the CDN's cost is at most its figure. At most the budget proves it within the budget.
  const options: CostOptions = {
    prices: {
      date: '2026-11-01',
      made_by: 'test',
      currency: 'USD',
      sources: [{ id: 'sheet', url: 'https://example.com/sheet', read: '2026-11-01' }],
      global: { route53_health_check_month: p(0.5), route53_health_check_option_month: p(1), route53_latency_queries_million: p(0.6) },
      regions: { 'us-east-1': one(), 'sa-east-1': one() },
    },
    traffic: { gbOut: 500, requests: 36_000_000, originGb: 40, dnsQueries: 1_000_000 },
    today: '2026-11-25',
  };
  // sa-east-1, switched off, with a second pool of 0 to 2 spot nodes besides its on-demand one.
  const spotPool = [
    '        - name: edge-spot',
    '          instance_types: [c7i.large]',
    '          capacity_type: SPOT',
    '          max_size: 2',
    '',
  ].join('\n');
  const sa = region('sa-east-1', { enabled: false, extra: scaling(1000, 30, 100, 60) }).replace(
    '          max_size: 6\n',
    `          max_size: 6\n${spotPool}`,
  );
  const withBudget = (usd: number) => {
    const l = load({ scalable: `regions:\n${sa}`, cdn: `${CDN_YAML}  budget:\n    monthly_usd: ${usd}\n` });
    if (!l.config) throw new Error(JSON.stringify(l.problems));
    return l.config;
  };
  const decide = (c: typeof config) =>
    byRegion(
      input({ 'sa-east-1': series(60, () => 3000) }, { config: c, costOptions: options, settings: { cooldownSeconds: 0, maxChanges: 3 } }),
    )['sa-east-1'];
  // With sa-east-1 on, at the maximum: us-east-1 73 + NAT 3 × 730 × 0.045 + 40 × 0.045 = 100.35
  // + NLB 730 × 0.0225 + 500 NLCU-h × 0.006 = 19.43 (16.425 + 3, in cents) + 6 addresses × 730 ×
  // 0.005 = 21.90 + 6 × 730 × 0.1 = 438 + 6 × 730 × 0.012 = 52.56 + the health check's HTTPS
  // option 1 + data out 500 × 0.09 = 45: 751.24; sa-east-1 the same and its spot pool's fee,
  // 2 × 730 × 0.012 = 17.52: 768.76; exact, 1,520.00. The spot pool's EC2 part, 2 × 730 × 0.1 =
  // 146, makes the most 1,666.00. At the minimum, 2 nodes on demand and none on spot: 424.20 each.
  const on = (c: typeof config) => ({ ...c, regions: c.regions.map((r) => ({ ...r, serving: true })) });

  it('at most the budget at its upper figure: within it, and the enable is taken', () => {
    const c = withBudget(1666);
    const figure = cdnCost(on(c), options).figure;
    expect(figure.bound).toBe('at-most');
    expect(figure.min).toBeCloseTo(848.4, 6);
    expect(figure.max).toBeCloseTo(1666, 6);
    expect(regionSwitchCost(c, 'sa-east-1', options)).toMatchObject({ bound: 'at-most', fitsBudget: true, budget: 1666 });
    expect(decide(c)).toMatchObject({ action: 'enable', cost: { bound: 'at-most', max: expect.closeTo(914.76, 6) as number } });
  });

  it('over the budget at its upper figure, within it without spot: held back, and said as what it could cost', () => {
    const c = withBudget(1600);
    expect(regionSwitchCost(c, 'sa-east-1', options)).toMatchObject({ bound: 'at-most', fitsBudget: false, budget: 1600 });
    const d = decide(c);
    expect(d?.action).toBe('keep');
    expect(d?.reason).toBe(
      'would enable (demand stayed above 1000 req/s for 30 min (lowest 3000)), but with the changes proposed the CDN could cost up to $1,666 a month (spot nodes at the on-demand price, the most spot can charge), more than the budget of $1,600 allows',
    );
  });
});

describe('durationSeconds', () => {
  it('reads minutes, hours and days, and nothing else', () => {
    expect([durationSeconds('90m'), durationSeconds('6h'), durationSeconds('2d')]).toEqual([5400, 21600, 172800]);
    expect([durationSeconds('6'), durationSeconds('0h'), durationSeconds('1w')]).toEqual([undefined, undefined, undefined]);
  });
});
