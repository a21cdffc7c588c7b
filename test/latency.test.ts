import { describe, expect, it } from 'vitest';
import type { Config } from '../src/core/config.js';
import { latencyImpact, latencyToMarkdown } from '../src/core/latency/impact.js';
import { assign, greatCircleKm, rttMs, type Place } from '../src/core/latency/model.js';
import { cities } from '../src/node/cities.js';
import { load, region } from './fixtures.js';

const list = (...entries: string[]) => `regions:\n${entries.join('')}`;

function config(alwaysOn: string[], scalable: { code: string; enabled: boolean }[] = []): Config {
  const result = load({
    alwaysOn: list(...alwaysOn.map((c) => region(c))),
    scalable: scalable.length ? list(...scalable.map((s) => region(s.code, { enabled: s.enabled }))) : 'regions: []\n',
  });
  if (!result.config) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

// Every 40th city of the data set: some 3,500 places on every continent, enough for properties.
const sample: Place[] = cities().filter((_, i) => i % 40 === 0);

describe('the latency model', () => {
  // Published distances are on the ellipsoid; the model's sphere stays within half a percent.
  it.each([
    { from: 'London', to: 'New York', a: [51.5074, -0.1278], b: [40.7128, -74.006], km: 5570 },
    { from: 'Sydney', to: 'Los Angeles', a: [-33.8688, 151.2093], b: [34.0522, -118.2437], km: 12051 },
    { from: 'Tokyo', to: 'San Francisco', a: [35.6762, 139.6503], b: [37.7749, -122.4194], km: 8270 },
  ])('$from to $to is $km km of great circle, within 0.5%', ({ a, b, km }) => {
    const d = greatCircleKm(a[0] ?? 0, a[1] ?? 0, b[0] ?? 0, b[1] ?? 0);
    expect(Math.abs(d - km) / km).toBeLessThan(0.005);
  });

  it('puts the physical lower bound of London to New York at about 56 ms, and inflates it by the factor', () => {
    const km = greatCircleKm(51.5074, -0.1278, 40.7128, -74.006);
    expect(rttMs(km, 1)).toBeCloseTo(55.7, 0);
    expect(rttMs(km, 1.5)).toBeCloseTo(83.6, 0);
  });

  it('never makes a place slower by adding a region, nor faster by removing one', () => {
    const all = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-1', 'ap-south-1', 'sa-east-1', 'af-south-1', 'ap-northeast-1'];
    // A fixed pseudo-random walk, so the test is the same every run.
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let round = 0; round < 12; round++) {
      const some = all.filter(() => next() < 0.5);
      const chosen = some.length ? some : ['us-east-1'];
      const extra = all.find((r) => !chosen.includes(r));
      if (!extra) continue;
      const before = assign(sample, chosen, 1);
      const after = assign(sample, [...chosen, extra], 1);
      for (let i = 0; i < sample.length; i++) expect(after.rtt[i]).toBeLessThanOrEqual(before.rtt[i] ?? Infinity);
      const removed = assign(sample, chosen.slice(1), 1);
      if (chosen.length > 1) for (let i = 0; i < sample.length; i++) expect(removed.rtt[i]).toBeGreaterThanOrEqual(before.rtt[i] ?? 0);
    }
  });

  it('gives the same answer for the same input', () => {
    const base = config(['us-east-1']);
    const head = config(['us-east-1'], [{ code: 'eu-west-1', enabled: true }]);
    expect(JSON.stringify(latencyImpact(sample, base, head))).toBe(JSON.stringify(latencyImpact(sample, base, head)));
  });
});

describe('the latency impact of a change', () => {
  const base = config(
    ['us-east-1'],
    [
      { code: 'eu-west-1', enabled: false },
      { code: 'ap-south-1', enabled: false },
    ],
  );
  const head = config(
    ['us-east-1'],
    [
      { code: 'eu-west-1', enabled: true },
      { code: 'ap-south-1', enabled: false },
    ],
  );
  const impact = latencyImpact(cities(), base, head);

  it('shows the figures better after switching Ireland on, and the countries where most people gain', () => {
    expect(impact.after.p50).toBeLessThan(impact.before.p50);
    expect(impact.after.within50).toBeGreaterThan(impact.before.within50);
    expect(impact.gains.length).toBeGreaterThan(0);
    expect(impact.losses).toEqual([]);
    // With Virginia alone, all of Eurasia was served from there: Ireland is nearer for all of it.
    // Ranked by people times milliseconds, the most populous of them lead.
    expect(impact.gains.map((g) => g.country)).toEqual(['IN', 'CN', 'RU', 'DE', 'GB']);
    for (const g of impact.gains) expect(g.deltaMs).toBeLessThan(-40);
    expect(impact.moved.find((m) => m.place.name === 'London')).toMatchObject({ from: 'us-east-1', to: 'eu-west-1' });
  });

  it('names the switched-off region that would help most next', () => {
    expect(impact.candidates.map((c) => c.region)).toEqual(['ap-south-1']);
    expect(impact.candidates[0]?.savedMs).toBeGreaterThan(5);
  });

  it('renders a table and a map GitHub draws (a geojson block)', () => {
    const markdown = latencyToMarkdown(impact);
    expect(markdown).toContain('| | Before | After |');
    expect(markdown).toMatch(/\| p50 round trip \| \d+ ms \| \d+ ms \|/);
    const geojson = /```geojson\n(.*)\n```/.exec(markdown)?.[1] ?? '';
    const map = JSON.parse(geojson) as { type: string; features: { properties: { name: string } }[] };
    expect(map.type).toBe('FeatureCollection');
    expect(map.features.map((f) => f.properties.name)).toEqual(expect.arrayContaining(['us-east-1 (serving)', 'eu-west-1 (added)']));
    expect(markdown.length).toBeLessThan(12_000);
  });
});
