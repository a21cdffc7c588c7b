// What a change of serving regions does for users: figures before and after, the places that
// gain or lose the most (by country), a map, and which switched-off region would help most.
import { AWS_REGIONS } from '../aws-regions.js';
import type { Config } from '../config.js';
import { escapeCell } from '../render.js';
import { assign, DEFAULT_INFLATION, figures, type Figures, type Place } from './model.js';

export interface CountryChange {
  readonly country: string;
  readonly population: number;
  /** Population-weighted mean change of round trip, in ms: negative is faster. */
  readonly deltaMs: number;
}

export interface Candidate {
  readonly region: string;
  /** Population-weighted mean round trip saved if it were switched on, in ms. */
  readonly savedMs: number;
  readonly p95: number;
}

export interface LatencyImpact {
  readonly inflation: number;
  readonly before: Figures;
  readonly after: Figures;
  readonly beforeRegions: readonly string[];
  readonly afterRegions: readonly string[];
  readonly gains: readonly CountryChange[];
  readonly losses: readonly CountryChange[];
  /** The biggest places whose nearest region changes. */
  readonly moved: readonly {
    readonly place: Place;
    readonly from: string | undefined;
    readonly to: string | undefined;
    readonly deltaMs: number;
  }[];
  readonly candidates: readonly Candidate[];
}

const serving = (config: Config | undefined) => (config?.regions ?? []).filter((r) => r.serving).map((r) => r.region);

export function latencyImpact(
  places: readonly Place[],
  base: Config | undefined,
  head: Config,
  options: { inflation?: number; top?: number } = {},
): LatencyImpact {
  const inflation = options.inflation ?? DEFAULT_INFLATION;
  const top = options.top ?? 5;
  const beforeRegions = serving(base);
  const afterRegions = serving(head);
  const before = assign(places, beforeRegions, inflation);
  const after = assign(places, afterRegions, inflation);

  const byCountry = new Map<string, { population: number; weighted: number }>();
  const moved: LatencyImpact['moved'][number][] = [];
  places.forEach((p, i) => {
    const b = before.rtt[i] ?? Infinity;
    const a = after.rtt[i] ?? Infinity;
    const delta = Number.isFinite(b) && Number.isFinite(a) ? a - b : 0;
    const c = byCountry.get(p.country) ?? { population: 0, weighted: 0 };
    byCountry.set(p.country, { population: c.population + p.population, weighted: c.weighted + delta * p.population });
    const from = beforeRegions[before.region[i] ?? -1];
    const to = afterRegions[after.region[i] ?? -1];
    if (from !== to) moved.push({ place: p, from, to, deltaMs: delta });
  });
  const countries = [...byCountry]
    .map(([country, c]) => ({ country, population: c.population, deltaMs: c.weighted / (c.population || 1) }))
    .filter((c) => Math.abs(c.deltaMs) >= 0.5);
  // Ranked by people times milliseconds: a small island that gains much matters less to a CDN's
  // users than a large country that gains a little less. Each keeps its mean change for display.
  const weight = (c: CountryChange) => c.population * Math.abs(c.deltaMs);
  const byWeight = (a: CountryChange, b: CountryChange) => weight(b) - weight(a) || a.country.localeCompare(b.country);
  const gains = countries
    .filter((c) => c.deltaMs < 0)
    .sort(byWeight)
    .slice(0, top);
  const losses = countries
    .filter((c) => c.deltaMs > 0)
    .sort(byWeight)
    .slice(0, top);

  // Which region that is not serving would help most if switched on, judged against the head.
  const meanAfter = weightedMean(places, after.rtt);
  const candidates = head.regions
    .filter((r) => !r.serving)
    .map((r) => {
      const withIt = assign(places, [...afterRegions, r.region], inflation);
      return { region: r.region, savedMs: meanAfter - weightedMean(places, withIt.rtt), p95: figures(places, withIt.rtt).p95 };
    })
    .sort((a, b) => b.savedMs - a.savedMs || a.region.localeCompare(b.region));

  return {
    inflation,
    before: figures(places, before.rtt),
    after: figures(places, after.rtt),
    beforeRegions,
    afterRegions,
    gains,
    losses,
    moved: moved.sort((a, b) => b.place.population - a.place.population || a.place.name.localeCompare(b.place.name)).slice(0, 50),
    candidates,
  };
}

function weightedMean(places: readonly Place[], rtt: Float64Array): number {
  let sum = 0;
  let total = 0;
  places.forEach((p, i) => {
    const v = rtt[i] ?? Infinity;
    if (Number.isFinite(v)) {
      sum += v * p.population;
      total += p.population;
    }
  });
  return total ? sum / total : Infinity;
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : '–');
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const signed = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(0)} ms`;

function rows(impact: LatencyImpact): [string, string, string][] {
  const { before: b, after: a } = impact;
  return [
    ['p50 round trip', ms(b.p50), ms(a.p50)],
    ['p90 round trip', ms(b.p90), ms(a.p90)],
    ['p95 round trip', ms(b.p95), ms(a.p95)],
    ['within 50 ms', pct(b.within50), pct(a.within50)],
    ['within 100 ms', pct(b.within100), pct(a.within100)],
  ];
}

/** GeoJSON GitHub draws as a map: serving regions, and the biggest places that change region. */
export function latencyGeoJson(impact: LatencyImpact, limit = 40): object {
  const region = (code: string, state: string) => {
    const r = AWS_REGIONS.get(code);
    return r
      ? [
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [r.longitude, r.latitude] },
            properties: {
              name: `${code} (${state})`,
              'marker-color': state === 'added' ? '#2da44e' : state === 'removed' ? '#cf222e' : '#0969da',
              'marker-symbol': 'star',
            },
          },
        ]
      : [];
  };
  const after = new Set(impact.afterRegions);
  const before = new Set(impact.beforeRegions);
  return {
    type: 'FeatureCollection',
    features: [
      ...impact.afterRegions.flatMap((c) => region(c, before.has(c) ? 'serving' : 'added')),
      ...impact.beforeRegions.filter((c) => !after.has(c)).flatMap((c) => region(c, 'removed')),
      ...impact.moved.slice(0, limit).map((m) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [Number(m.place.longitude.toFixed(2)), Number(m.place.latitude.toFixed(2))] },
        properties: {
          name: `${m.place.name}, ${m.place.country}: ${m.from ?? '–'} → ${m.to ?? '–'} (${signed(m.deltaMs)})`,
          'marker-color': m.deltaMs <= 0 ? '#2da44e' : '#cf222e',
          'marker-size': 'small',
        },
      })),
    ],
  };
}

/** What switching regions on would cost, for the "would help most" line: words per region, and the best buy. */
export interface CandidateCosts {
  readonly words: (region: string) => string;
  /** The switched-off region that wins most latency per dollar. */
  readonly bestValue?: { readonly region: string; readonly savedMs: number };
}

function costWords(costs: CandidateCosts | undefined, region: string): string {
  return costs ? `; ${costs.words(region)}` : '';
}

function bestValueLine(costs: CandidateCosts | undefined, best: Candidate | undefined, code: (r: string) => string): string[] {
  const value = costs?.bestValue;
  if (!value || !best || value.region === best.region || value.savedMs < 0.5) return [];
  return [`most latency per dollar: ${code(value.region)} (${signed(-value.savedMs)} on average${costWords(costs, value.region)})`];
}

export function latencyToMarkdown(impact: LatencyImpact, options: { map?: boolean; costs?: CandidateCosts } = {}): string {
  const out = [
    `Modelled round trip from ${(impact.before.population / 1e9).toFixed(2)} billion people in cities to their nearest serving region (great circle in fibre × ${impact.inflation}).`,
    '',
    '| | Before | After |',
    '|---|--:|--:|',
    ...rows(impact).map(([k, b, a]) => `| ${k} | ${b} | ${a} |`),
  ];
  const changes = [
    ...impact.gains.map((g) => `${escapeCell(g.country)} ${signed(g.deltaMs)}`),
    ...impact.losses.map((l) => `${escapeCell(l.country)} ${signed(l.deltaMs)}`),
  ];
  if (changes.length) out.push('', `Most changed, by country: ${changes.join(', ')}.`);
  const best = impact.candidates[0];
  if (best && best.savedMs >= 0.5)
    out.push(
      '',
      `Switched-off region that would help most: \`${best.region}\` (${signed(-best.savedMs)} on average, p95 ${ms(best.p95)}${costWords(options.costs, best.region)}).`,
      ...bestValueLine(options.costs, best, (r) => `\`${r}\``).map((l) => `${l[0]?.toUpperCase()}${l.slice(1)}.`),
    );
  if (options.map !== false && (impact.moved.length || impact.beforeRegions.join() !== impact.afterRegions.join())) {
    out.push('', '```geojson', JSON.stringify(latencyGeoJson(impact)), '```');
  }
  return out.join('\n');
}

export function latencyToText(impact: LatencyImpact, options: { costs?: CandidateCosts } = {}): string {
  const out = rows(impact).map(([k, b, a]) => `${k.padEnd(16)} ${b.padStart(8)} → ${a.padStart(8)}`);
  if (impact.gains.length) out.push(`faster: ${impact.gains.map((g) => `${g.country} ${signed(g.deltaMs)}`).join(', ')}`);
  if (impact.losses.length) out.push(`slower: ${impact.losses.map((l) => `${l.country} ${signed(l.deltaMs)}`).join(', ')}`);
  const best = impact.candidates[0];
  if (best) {
    out.push(
      `would help most if switched on: ${best.region} (${signed(-best.savedMs)} on average${costWords(options.costs, best.region)})`,
    );
    out.push(...bestValueLine(options.costs, best, (r) => r));
  }
  return out.join('\n');
}

export function latencyToJson(impact: LatencyImpact): object {
  return {
    inflation: impact.inflation,
    before: { regions: impact.beforeRegions, ...impact.before },
    after: { regions: impact.afterRegions, ...impact.after },
    gains: impact.gains,
    losses: impact.losses,
    candidates: impact.candidates,
  };
}
