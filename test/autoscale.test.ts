// The autoscale decision on small fixture series: pure, no Prometheus (the integration test
// test/autoscale-history.int.test.ts runs the same rules against a real one).
import { describe, expect, it } from 'vitest';
import { decideAutoscale, durationSeconds, type AutoscaleInput, type Sample } from '../src/core/autoscale.js';
import { autoscaleToMarkdown, autoscaleToText } from '../src/core/autoscale-render.js';
import { load, region } from './fixtures.js';

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
    const old = byRegion(input(quiet, { lastChanged: new Map([['eu-west-1', AT - 7 * 3600]]) }));
    expect(old['eu-west-1']?.action).toBe('disable');
  });

  it('makes at most max-changes changes, enables first, then the furthest past its threshold', () => {
    const busy = {
      'eu-west-1': series(60, () => 10),
      'ap-south-1': series(60, () => 1600),
      'sa-east-1': series(60, () => 3000),
    };
    const one = byRegion(input(busy));
    expect([one['sa-east-1']?.action, one['ap-south-1']?.action, one['eu-west-1']?.action]).toEqual(['enable', 'keep', 'keep']);
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
    expect(d['eu-west-1']?.latency).toBeUndefined();
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

describe('durationSeconds', () => {
  it('reads minutes, hours and days, and nothing else', () => {
    expect([durationSeconds('90m'), durationSeconds('6h'), durationSeconds('2d')]).toEqual([5400, 21600, 172800]);
    expect([durationSeconds('6'), durationSeconds('0h'), durationSeconds('1w')]).toEqual([undefined, undefined, undefined]);
  });
});
