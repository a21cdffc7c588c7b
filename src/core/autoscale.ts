// Which scalable regions to switch on or off, from the measured demand of the users nearest each
// region. Pure: the demand series, the time each region's `enabled` last changed and the latency
// model's places are passed in; what comes out is one decision per region, each with its evidence.
import { parse } from 'yaml';
import type { Config, Region } from './config.js';
import type { ScalableRegionSpec } from './schema.js';
import { latencyImpact } from './latency/impact.js';
import type { Place } from './latency/model.js';

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
  readonly threshold: number;
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
  readonly latency?: LatencyChange;
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
}

/** A window is too sparse below this share of the samples it should hold. */
export const MIN_COVERAGE = 0.9;

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
  threshold: number,
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
  if (evidence.samples < MIN_COVERAGE * evidence.expectedSamples)
    return {
      action: 'keep',
      reason: `too sparse: ${evidence.samples} of ${evidence.expectedSamples} samples in the last ${window}`,
      evidence,
    };
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

function latencyChange(places: readonly Place[], before: Config, after: Config): LatencyChange {
  const impact = latencyImpact(places, before, after, { top: 0 });
  return { p50Before: impact.before.p50, p50After: impact.after.p50, p95Before: impact.before.p95, p95After: impact.after.p95 };
}

/**
 * One decision for every region in both files, in file order. Proposals are ranked by how far the
 * demand is past its threshold, and taken while the cap allows; a disable that would leave no
 * region serving is refused. Each change's latency is modelled on top of the changes taken before it.
 */
export function decideAutoscale(input: AutoscaleInput): Decision[] {
  const { config, settings } = input;
  const decisions = new Map<string, Decision>();
  const candidates: { region: Region; decision: Decision; margin: number }[] = [];
  for (const region of config.regions) {
    const last = input.lastChanged.get(region.region);
    const base = {
      region: region.region,
      tier: region.tier,
      serving: region.serving,
      ...(last !== undefined ? { lastChanged: iso(last) } : {}),
    };
    if (region.tier === 'always-on') {
      decisions.set(region.region, { ...base, action: 'keep', reason: 'always-on: autoscale never changes it' });
      continue;
    }
    const p = proposal(region, input);
    const decision: Decision = { ...base, action: p.action, reason: p.reason, ...(p.evidence ? { evidence: p.evidence } : {}) };
    if (p.action !== 'keep' && last !== undefined && input.at - last < settings.cooldownSeconds) {
      const until = iso(last + settings.cooldownSeconds);
      decisions.set(region.region, {
        ...decision,
        action: 'keep',
        reason: `would ${p.action} (${p.reason}), but enabled changed at ${iso(last)}: cooling down until ${until}`,
      });
      continue;
    }
    decisions.set(region.region, decision);
    if (p.action !== 'keep' && p.evidence) {
      const t = p.evidence.threshold || 1;
      const margin = Math.abs((p.evidence.value ?? 0) - p.evidence.threshold) / t;
      candidates.push({ region, decision, margin });
    }
  }

  // Enables first (users waiting), then disables, each by how far past the threshold.
  candidates.sort(
    (a, b) =>
      (a.decision.action === 'enable' ? 0 : 1) - (b.decision.action === 'enable' ? 0 : 1) ||
      b.margin - a.margin ||
      a.region.region.localeCompare(b.region.region),
  );
  let current = config;
  let taken = 0;
  for (const { region, decision } of candidates) {
    const enable = decision.action === 'enable';
    if (taken >= settings.maxChanges) {
      decisions.set(region.region, {
        ...decision,
        action: 'keep',
        reason: `would ${decision.action} (${decision.reason}), but this run already makes ${settings.maxChanges} change${settings.maxChanges === 1 ? '' : 's'} (max changes)`,
      });
      continue;
    }
    if (!enable && current.regions.filter((r) => r.serving && r.region !== region.region).length === 0) {
      decisions.set(region.region, {
        ...decision,
        action: 'keep',
        reason: `would disable (${decision.reason}), but it is the last serving region`,
      });
      continue;
    }
    const next = withServing(current, region.region, enable);
    decisions.set(region.region, { ...decision, ...(input.places ? { latency: latencyChange(input.places, current, next) } : {}) });
    current = next;
    taken++;
  }
  return config.regions.map((r) => decisions.get(r.region) as Decision);
}

/** The decisions that change something. */
export const changes = (decisions: readonly Decision[]) => decisions.filter((d) => d.action !== 'keep');

/**
 * Each region's demand series from the per-`near` series Prometheus returns. A minute at which
 * some edge was counted but nobody near a region came is 0 for that region, not a gap: only a
 * minute with no counts at all is missing.
 */
export function demandByRegion(
  series: readonly { near: string | undefined; samples: readonly Sample[] }[],
  regions: readonly string[],
): Map<string, Sample[]> {
  const counted = [...new Set(series.flatMap((s) => s.samples.map((x) => x.t)))].sort((a, b) => a - b);
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
