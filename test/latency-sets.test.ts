// The latency model's fast paths against its plain definition, on the shipped region files and
// every city: the percentiles found by selection against the sorted definition, each set's
// assignment read from the table of distances against assign() from scratch, and autoscale's
// latency figures against latencyImpact() of the same before and after. Equal means equal to
// the bit: a fast path that moved one figure by one ulp fails here.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideAutoscale, type Sample } from '../src/core/autoscale.js';
import { loadConfig, type Config } from '../src/core/config.js';
import { latencyImpact } from '../src/core/latency/impact.js';
import { assign, figures, figuresBySorting, type Figures, type Place } from '../src/core/latency/model.js';
import { servingSets } from '../src/core/latency/sets.js';
import { cities } from '../src/node/cities.js';
import { readRegionDir } from '../src/node/region-dir.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const loaded = loadConfig(await readRegionDir(path.join(ROOT, 'regions'), ROOT), {});
if (!loaded.config) throw new Error(JSON.stringify(loaded.problems));
const shipped = loaded.config;
const places = cities();

const serving = (config: Config) => config.regions.filter((r) => r.serving).map((r) => r.region);
const toggled = (config: Config, region: string): Config => ({
  ...config,
  regions: config.regions.map((r) => (r.region === region ? { ...r, serving: !r.serving } : r)),
});

/** Field by field with Object.is: 0 and −0, NaN and Infinity all told apart. */
function expectSameFigures(actual: Figures, expected: Figures, what: string) {
  for (const key of Object.keys(expected) as (keyof Figures)[]) {
    expect(Object.is(actual[key], expected[key]), `${what}: ${key} ${actual[key]} against ${expected[key]}`).toBe(true);
  }
}

describe('the percentiles by selection', () => {
  // A fixed pseudo-random walk, so the test is the same every run.
  let seed = 11;
  const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const place = (population: number): Place => ({ name: 'p', country: 'XX', population, latitude: 0, longitude: 0 });

  it('agree with the sorted definition on ties, empty places, unserved places and zero populations', () => {
    for (let round = 0; round < 3000; round++) {
      const size = Math.floor(next() * 40);
      const some = Array.from({ length: size }, () => place(next() < 0.2 ? 0 : Math.floor(next() * 6)));
      // Few distinct round trips, so that ties are the rule; some places with no region at all.
      const rtt = Float64Array.from(some, () => (next() < 0.1 ? Infinity : Math.floor(next() * 8) * 12.5));
      expectSameFigures(figures(some, rtt), figuresBySorting(some, rtt), `round ${round}`);
    }
  });

  it('take the sorted definition for populations whose sums are not exact in any order', () => {
    const some = [place(0.1), place(0.2), place(0.3), place(0.7)];
    const rtt = Float64Array.from([30, 10, 20, 40]);
    expectSameFigures(figures(some, rtt), figuresBySorting(some, rtt), 'fractional populations');
    expectSameFigures(figures([], new Float64Array(0)), figuresBySorting([], new Float64Array(0)), 'no places');
  });

  it('agree with the sorted definition over every city, for the shipped regions', () => {
    const rtt = assign(places, serving(shipped)).rtt;
    expectSameFigures(figures(places, rtt), figuresBySorting(places, rtt), 'the shipped regions');
  });
});

describe('the table of serving sets', () => {
  const sets = servingSets(
    places,
    shipped.regions.map((r) => r.region),
  );
  const scenarios = [
    { name: 'as shipped', regions: serving(shipped) },
    ...shipped.regions.map((r) => ({ name: `${r.region} ${r.serving ? 'off' : 'on'}`, regions: serving(toggled(shipped, r.region)) })),
    { name: 'every region', regions: shipped.regions.map((r) => r.region) },
    { name: 'in another order', regions: [...serving(shipped)].reverse() },
  ];

  it.each(scenarios)('assigns every city as assign() does, with the shipped files $name', ({ regions }) => {
    const plain = assign(places, regions);
    const fast = sets.assign(regions);
    expect(Buffer.from(fast.region.buffer).equals(Buffer.from(plain.region.buffer))).toBe(true);
    expect(Buffer.from(fast.rtt.buffer).equals(Buffer.from(plain.rtt.buffer))).toBe(true);
    expectSameFigures(sets.figures(regions), figuresBySorting(places, plain.rtt), regions.join(' '));
  });

  it('refuses a region it was not built for', () => {
    expect(() => sets.assign(['af-south-1'])).toThrow('region af-south-1 is not among the regions the table was built for');
  });
});

describe("autoscale's latency figures", () => {
  const AT = Date.parse('2026-11-25T12:00:00Z') / 1000;
  const flat = (v: number): Sample[] => Array.from({ length: 181 }, (_, i) => ({ t: AT - (180 - i) * 60, v }));

  it('are latencyImpact() of each proposal: taken ones in turn, the held one on top of all taken', () => {
    // Both switched-off regions busy, both switchable serving ones quiet: three changes taken
    // (enables first, then by how far past the threshold), the fourth held by the cap.
    const demand = new Map([
      ['us-east-1', flat(5000)],
      ['us-west-2', flat(5000)],
      ['eu-west-1', flat(0)],
      ['ap-southeast-1', flat(100)],
      ['ap-south-1', flat(3000)],
      ['sa-east-1', flat(50_000)],
    ]);
    const settings = { cooldownSeconds: 3600, maxChanges: 3 };
    const decisions = decideAutoscale({ config: shipped, at: AT, step: 60, demand, lastChanged: new Map(), settings, places });
    const d = Object.fromEntries(decisions.map((x) => [x.region, x]));
    expect(decisions.map((x) => [x.region, x.action])).toEqual([
      ['us-east-1', 'keep'],
      ['us-west-2', 'keep'],
      ['eu-west-1', 'disable'],
      ['ap-southeast-1', 'keep'],
      ['ap-south-1', 'enable'],
      ['sa-east-1', 'enable'],
    ]);

    let current = shipped;
    for (const region of ['sa-east-1', 'ap-south-1', 'eu-west-1', 'ap-southeast-1']) {
      const next = toggled(current, region);
      const impact = latencyImpact(places, current, next);
      expect(d[region]?.latency, region).toStrictEqual({
        p50Before: impact.before.p50,
        p50After: impact.after.p50,
        p95Before: impact.before.p95,
        p95After: impact.after.p95,
      });
      // The held region is judged on top of every taken change, and changes nothing itself.
      if (d[region]?.action !== 'keep') current = next;
    }
  });
});
