// Which scalable regions to switch on or off, from the measured demand of the users nearest each
// region. Pure: the demand series, the time each region's `enabled` last changed and the latency
// model's places are passed in; what comes out is one decision per region, each with its evidence.
import { parse } from 'yaml';
import type { Config, Region } from './config.js';
import type { ScalableRegionSpec } from './schema.js';
import type { CostOptions } from './cost/model.js';
import type { Place } from './latency/model.js';
import { servingSets, type ServingSets } from './latency/sets.js';
import { applyBudget, switchCost, type CostDelta } from './autoscale-cost.js';

/** One point of a rate series: Unix seconds, requests per second. */
export interface Sample {
  readonly t: number;
  readonly v: number;
}

export type Action = 'enable' | 'disable' | 'keep';

export interface Evidence {
  /** What the rule looks at: the lowest rate over the window when enabling, the highest when disabling. */
  readonly observed: 'min' | 'max';
  readonly value: number | null;
  /** The rule's threshold; null for an always-on region, which no rule switches. */
  readonly threshold: number | null;
  readonly windowMinutes: number;
  readonly samples: number;
  readonly expectedSamples: number;
}

export interface LatencyChange {
  /** Modelled round trips of the world's city dwellers to their nearest serving region, in ms. */
  readonly p50Before: number;
  readonly p50After: number;
  readonly p95Before: number;
  readonly p95After: number;
}

export interface Decision {
  readonly region: string;
  readonly tier: 'always-on' | 'scalable';
  readonly serving: boolean;
  readonly action: Action;
  readonly reason: string;
  readonly evidence?: Evidence;
  /** When `enabled` last changed in git, as RFC 3339; absent when not found in the history read. */
  readonly lastChanged?: string;
  /** Modelled latency if this scalable region were switched (on when off, off when on), proposed or not. */
  readonly latency?: LatencyChange;
  /** The CDN's monthly cost change if this scalable region were switched, proposed or not. */
  readonly cost?: CostDelta;
}

export interface AutoscaleSettings {
  readonly cooldownSeconds: number;
  readonly maxChanges: number;
}

export interface AutoscaleInput {
  readonly config: Config;
  /** Evaluation time, Unix seconds. */
  readonly at: number;
  /** Seconds between samples of every series. */
  readonly step: number;
  /** Rate per region nearest the users, by region code; a region absent from the map had no data. */
  readonly demand: ReadonlyMap<string, readonly Sample[]>;
  /** Unix seconds when each region's `enabled` last changed; absent when it did not in the history read. */
  readonly lastChanged: ReadonlyMap<string, number>;
  readonly settings: AutoscaleSettings;
  /** Places for the latency model; without them decisions carry no latency change. */
  readonly places?: readonly Place[];
  /** Prices for the cost model; without them decisions carry no cost and no budget is checked. */
  readonly costOptions?: CostOptions;
}

/** A window is too sparse below this share of the samples it should hold. */
export const MIN_COVERAGE = 0.9;
/**
 * Nor may its samples leave more than this many steps between two of them: 90% of an hour could
 * otherwise be one unbroken gap of six minutes, and a gap is exactly where a dip would hide.
 */
export const MAX_GAP_STEPS = 3;

const DURATION = /^([1-9][0-9]*)(m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86400 };

/** "90m", "6h", "2d" in seconds; undefined when not such a duration. */
export function durationSeconds(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * (UNIT_SECONDS[m[2] ?? 'm'] ?? 60) : undefined;
}

/** A region's thresholds; undefined for an always-on region or a scalable one without them. */
function scalingOf(region: Region): ScalableRegionSpec['scaling'] | undefined {
  return region.tier === 'scalable' ? (region.spec as ScalableRegionSpec).scaling : undefined;
}

/** The longest window any region's rule looks back over, in minutes: what to query. */
export function longestWindowMinutes(config: Config): number {
  return Math.max(
    0,
    ...config.regions.flatMap((r) => {
      const s = scalingOf(r);
      return s ? [s.enable_when.for_minutes, s.disable_when.for_minutes] : [];
    }),
  );
}

/** The samples of a series inside (at − minutes, at], and what the rule sees in them. */
export function windowEvidence(
  samples: readonly Sample[],
  at: number,
  step: number,
  minutes: number,
  observed: 'min' | 'max',
  threshold: number | null,
): Evidence {
  const from = at - minutes * 60;
  const inside = samples.filter((s) => s.t >= from && s.t <= at && Number.isFinite(s.v));
  const values = inside.map((s) => s.v);
  const value = values.length === 0 ? null : observed === 'min' ? Math.min(...values) : Math.max(...values);
  return {
    observed,
    value,
    threshold,
    windowMinutes: minutes,
    samples: inside.length,
    expectedSamples: Math.floor((minutes * 60) / step) + 1,
  };
}

/**
 * Why the samples inside (at − minutes, at] cannot stand for the whole window, or undefined when
 * they can: enough of them, one within a step of each edge, and no gap longer than MAX_GAP_STEPS.
 */
export function windowGap(samples: readonly Sample[], at: number, step: number, minutes: number): string | undefined {
  const from = at - minutes * 60;
  const times = samples
    .filter((s) => s.t >= from && s.t <= at && Number.isFinite(s.v))
    .map((s) => s.t)
    .sort((a, b) => a - b);
  const window = `the last ${minutes} min`;
  const expected = Math.floor((minutes * 60) / step) + 1;
  if (times.length < MIN_COVERAGE * expected) return `too sparse: ${times.length} of ${expected} samples in ${window}`;
  const first = times[0] ?? at;
  const last = times[times.length - 1] ?? from;
  if (first - from > step) return `too sparse: no sample in the first ${span(first - from)} of ${window}`;
  if (at - last > step) return `too sparse: no sample in the final ${span(at - last)} of ${window}`;
  const gap = Math.max(0, ...times.slice(1).map((t, i) => t - (times[i] ?? t)));
  if (gap > MAX_GAP_STEPS * step) return `too sparse: a gap of ${span(gap)} without samples in ${window}`;
  return undefined;
}

const span = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`);

const rate = (v: number | null) => (v === null ? '–' : String(v >= 100 ? Math.round(v) : Number(v.toFixed(1))));
const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

/** What the rule alone would do for one scalable region, before the guards. */
function proposal(region: Region, input: AutoscaleInput): { action: Action; reason: string; evidence?: Evidence } {
  const scaling = scalingOf(region);
  if (!scaling) return { action: 'keep', reason: 'no scaling thresholds in scalable.yaml' };
  const rule = region.serving ? scaling.disable_when : scaling.enable_when;
  const samples = input.demand.get(region.region);
  const evidence = windowEvidence(
    samples ?? [],
    input.at,
    input.step,
    rule.for_minutes,
    region.serving ? 'max' : 'min',
    rule.requests_per_second,
  );
  const window = `${rule.for_minutes} min`;
  if (!samples || evidence.samples === 0) return { action: 'keep', reason: `no demand data in the last ${window}`, evidence };
  const sparse = windowGap(samples, input.at, input.step, rule.for_minutes);
  if (sparse) return { action: 'keep', reason: sparse, evidence };
  const v = evidence.value ?? 0;
  if (region.serving) {
    return v < rule.requests_per_second
      ? { action: 'disable', reason: `demand stayed below ${rule.requests_per_second} req/s for ${window} (peak ${rate(v)})`, evidence }
      : {
          action: 'keep',
          reason: `demand reached ${rate(v)} req/s in the last ${window}, not below ${rule.requests_per_second}`,
          evidence,
        };
  }
  return v > rule.requests_per_second
    ? { action: 'enable', reason: `demand stayed above ${rule.requests_per_second} req/s for ${window} (lowest ${rate(v)})`, evidence }
    : { action: 'keep', reason: `demand fell to ${rate(v)} req/s in the last ${window}, not above ${rule.requests_per_second}`, evidence };
}

function withServing(config: Config, region: string, serving: boolean): Config {
  return { ...config, regions: config.regions.map((r) => (r.region === region ? { ...r, serving } : r)) };
}

const servingRegions = (config: Config) => config.regions.filter((r) => r.serving).map((r) => r.region);

/** The p50 and p95 of latencyImpact(places, before, after), from the table of every region's distances. */
function latencyChange(sets: ServingSets, before: Config, after: Config): LatencyChange {
  const b = sets.figures(servingRegions(before));
  const a = sets.figures(servingRegions(after));
  return { p50Before: b.p50, p50After: a.p50, p95Before: b.p95, p95After: a.p95 };
}

interface Candidate {
  readonly region: Region;
  readonly decision: Decision;
  readonly margin: number;
}

/** The proposals the cap and the last-serving rule let through, in rank order, skipping `excluded`. */
function select(config: Config, candidates: readonly Candidate[], maxChanges: number, excluded: ReadonlyMap<string, string>) {
  const taken: Candidate[] = [];
  const held = new Map<string, string>(excluded);
  let current = config;
  for (const c of candidates) {
    if (excluded.has(c.region.region)) continue;
    const { action, reason } = c.decision;
    if (taken.length >= maxChanges) {
      held.set(
        c.region.region,
        `would ${action} (${reason}), but this run already makes ${maxChanges} change${maxChanges === 1 ? '' : 's'} (max changes)`,
      );
      continue;
    }
    if (action === 'disable' && current.regions.filter((r) => r.serving && r.region !== c.region.region).length === 0) {
      held.set(c.region.region, `would disable (${reason}), but it is the last serving region`);
      continue;
    }
    current = withServing(current, c.region.region, action === 'enable');
    taken.push(c);
  }
  return { taken, held, current };
}

/**
 * One decision for every region in both files, in file order. Proposals are ranked by how far the
 * demand is past its threshold, and taken while the cap allows; a disable that would leave no
 * region serving is refused; with a budget in cdn.yaml, enables are held back, lowest-ranked first,
 * until the whole set of changes fits it. Every scalable region's decision carries the latency and
 * cost change of switching it: a taken change on top of the changes taken before it, any other
 * (held back by the cooldown, the cap or the budget, or kept by its rule) on top of all taken.
 */
export function decideAutoscale(input: AutoscaleInput): Decision[] {
  const { config, settings } = input;
  const decisions = new Map<string, Decision>();
  const candidates: Candidate[] = [];
  const longest = longestWindowMinutes(config);
  for (const region of config.regions) {
    const last = input.lastChanged.get(region.region);
    const base = {
      region: region.region,
      tier: region.tier,
      serving: region.serving,
      ...(last !== undefined ? { lastChanged: iso(last) } : {}),
    };
    if (region.tier === 'always-on') {
      const evidence = windowEvidence(input.demand.get(region.region) ?? [], input.at, input.step, longest, 'max', null);
      decisions.set(region.region, { ...base, action: 'keep', reason: 'always-on: autoscale never changes it', evidence });
      continue;
    }
    const p = proposal(region, input);
    const decision: Decision = { ...base, action: p.action, reason: p.reason, ...(p.evidence ? { evidence: p.evidence } : {}) };
    decisions.set(region.region, decision);
    if (p.action === 'keep' || !p.evidence) continue;
    if (last !== undefined && input.at - last < settings.cooldownSeconds) {
      const until = iso(last + settings.cooldownSeconds);
      decisions.set(region.region, {
        ...decision,
        action: 'keep',
        reason: `would ${p.action} (${p.reason}), but enabled changed at ${iso(last)}: cooling down until ${until}`,
      });
      continue;
    }
    const t = p.evidence.threshold || 1;
    candidates.push({ region, decision, margin: Math.abs((p.evidence.value ?? 0) - (p.evidence.threshold ?? 0)) / t });
  }

  // Enables first (users waiting), then disables, each by how far past the threshold.
  candidates.sort(
    (a, b) =>
      (a.decision.action === 'enable' ? 0 : 1) - (b.decision.action === 'enable' ? 0 : 1) ||
      b.margin - a.margin ||
      a.region.region.localeCompare(b.region.region),
  );
  const chosen = applyBudget(config, input.costOptions, (excluded) => select(config, candidates, settings.maxChanges, excluded));

  // The latency and cost of each proposal: taken ones in order, held ones on top of all taken.
  let current = config;
  // Every proposal's sets differ from the files' by a few regions: each place's distances are
  // computed once, at the first proposal, and every set's figures read from them.
  let sets: ServingSets | undefined;
  const latencyOf = (places: readonly Place[], on: Config, next: Config) => {
    sets ??= servingSets(
      places,
      config.regions.map((r) => r.region),
    );
    return latencyChange(sets, on, next);
  };
  const effects = (region: string, enable: boolean, on: Config) => {
    const next = withServing(on, region, enable);
    return {
      next,
      ...(input.places ? { latency: latencyOf(input.places, on, next) } : {}),
      ...(input.costOptions ? { cost: switchCost(on, region, enable, input.costOptions) } : {}),
    };
  };
  for (const { region, decision } of chosen.taken) {
    const { next, ...effect } = effects(region.region, decision.action === 'enable', current);
    decisions.set(region.region, { ...decision, ...effect });
    current = next;
  }
  // Every other scalable region: what switching it would do, on top of all taken.
  const taken = new Set(chosen.taken.map((c) => c.region.region));
  for (const region of config.regions) {
    if (region.tier !== 'scalable' || taken.has(region.region)) continue;
    const d = decisions.get(region.region) as Decision;
    const held = chosen.held.get(region.region);
    const { next: _next, ...effect } = effects(region.region, !region.serving, current);
    decisions.set(region.region, { ...d, ...(held !== undefined ? { action: 'keep' as const, reason: held } : {}), ...effect });
  }
  return config.regions.map((r) => decisions.get(r.region) as Decision);
}

/** The decisions that change something. */
export const changes = (decisions: readonly Decision[]) => decisions.filter((d) => d.action !== 'keep');

/**
 * Each region's demand series from the per-`near` series Prometheus returns, at the minutes when
 * the edges of every serving region were counted (`reporting`: how many series each edge region
 * had at each minute). At such a minute, nobody near a region is 0 for it. A minute at which some
 * serving region's edges were not counted is missing for every region: the users they served are
 * missing from every figure, so no region's demand is known then.
 */
export function demandByRegion(
  series: readonly { near: string | undefined; samples: readonly Sample[] }[],
  reporting: readonly { region: string | undefined; samples: readonly Sample[] }[],
  regions: readonly string[],
  serving: readonly string[],
): Map<string, Sample[]> {
  const reported = new Map<string, Set<number>>();
  for (const r of reporting) {
    if (!r.region) continue;
    const times = reported.get(r.region) ?? new Set<number>();
    for (const x of r.samples) if (x.v > 0) times.add(x.t);
    reported.set(r.region, times);
  }
  const candidates = [...new Set([...reported.values()].flatMap((times) => [...times]))].sort((a, b) => a - b);
  const counted = serving.length === 0 ? [] : candidates.filter((t) => serving.every((r) => reported.get(r)?.has(t)));
  const byNear = new Map<string, Map<number, number>>();
  for (const s of series) {
    if (!s.near) continue;
    const values = byNear.get(s.near) ?? new Map<number, number>();
    for (const x of s.samples) values.set(x.t, (values.get(x.t) ?? 0) + x.v);
    byNear.set(s.near, values);
  }
  return new Map(regions.map((r) => [r, counted.map((t) => ({ t, v: byNear.get(r)?.get(t) ?? 0 }))]));
}

/** Each scalable region's `enabled` in a version of scalable.yaml; empty when it cannot be read. */
export function enabledByRegion(text: string): Map<string, boolean> {
  let data: unknown;
  try {
    data = parse(text);
  } catch {
    return new Map();
  }
  const regions = (data as { regions?: unknown } | null)?.regions;
  if (!Array.isArray(regions)) return new Map();
  return new Map(
    regions.flatMap((r: unknown) => {
      const entry = r as { region?: unknown; enabled?: unknown } | null;
      return typeof entry?.region === 'string' && typeof entry.enabled === 'boolean' ? [[entry.region, entry.enabled] as const] : [];
    }),
  );
}
