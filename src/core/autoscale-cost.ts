// What autoscale's proposals cost, and the budget in cdn.yaml they must fit together: a set of
// switches is judged as a whole, since two regions that each fit the budget alone may not fit it
// together. A missing price is never read as zero: it leaves a bound, or nothing known.
import type { Config } from './config.js';
import type { Figure } from './cost/bound.js';
import { cdnCost, cdnDelta, type CdnCost, type CostOptions } from './cost/model.js';
import { usd } from './cost/render.js';
import { monthlyBudget } from './cost/switch.js';

/**
 * The CDN's monthly cost change, from nodes at their minimum to their maximum; with a price
 * missing, a bound on it (`bound` and the `missing` items, "region: item"); or why it is unknown.
 */
export type CostDelta =
  | { readonly min: number; readonly max: number; readonly bound?: 'at-least' | 'at-most'; readonly missing?: readonly string[] }
  | { readonly unknown: string };

const missingItems = (costs: readonly CdnCost[]) => [...new Set(costs.flatMap((c) => c.missing.map((m) => `${m.region}: ${m.item}`)))];

/** What switching `region` on (or off) on top of `config` changes in the monthly bill. */
export function switchCost(config: Config, region: string, enable: boolean, options: CostOptions): CostDelta {
  if (!config.regions.some((r) => r.region === region)) throw new Error(`region ${region} is not in the region files`);
  const withServing = (serving: boolean): Config => ({
    ...config,
    regions: config.regions.map((r) => (r.region === region ? { ...r, serving } : r)),
  });
  const on = cdnCost(withServing(true), options);
  const off = cdnCost(withServing(false), options);
  const delta = enable ? cdnDelta(off, on) : cdnDelta(on, off);
  const first = on.missing[0] ?? off.missing[0];
  if (delta.bound === 'unknown') return { unknown: first?.message ?? 'prices missing' };
  if (delta.bound === 'exact') return { min: delta.min, max: delta.max };
  return { min: delta.min, max: delta.max, bound: delta.bound, missing: missingItems([on, off]) };
}

/** A CostDelta as a figure, for the words. */
export function costFigure(c: CostDelta): Figure {
  if ('unknown' in c) return { bound: 'unknown', min: NaN, max: NaN };
  return { bound: c.bound ?? 'exact', min: c.min, max: c.max };
}

interface Proposal {
  readonly region: { readonly region: string };
  readonly decision: { readonly action: string; readonly reason: string };
}

export interface Selection<T extends Proposal> {
  readonly taken: readonly T[];
  /** Held-back proposals and why, by region. */
  readonly held: ReadonlyMap<string, string>;
  /** The region files with every taken change applied. */
  readonly current: Config;
}

/**
 * The selection whose enables fit the budget in cdn.yaml, at the CDN's maximum with every taken
 * change applied. Over it, the lowest-ranked enable is held back and the rest selected again. With
 * a price missing, the priced parts are a lower bound: over the budget, they prove it exceeded
 * (the lowest-ranked enable is held back, as above); within it, they prove nothing, the budget
 * cannot be checked, and every enable is held back. With spot nodes, every price there, the
 * figure is an upper bound: within the budget, it proves the CDN within it; over, the CDN could
 * exceed it, and the lowest-ranked enable is held back all the same.
 */
export function applyBudget<T extends Proposal>(
  config: Config,
  options: CostOptions | undefined,
  select: (excluded: ReadonlyMap<string, string>) => Selection<T>,
): Selection<T> {
  const budget = monthlyBudget(config);
  const excluded = new Map<string, string>();
  for (;;) {
    const chosen = select(excluded);
    const enables = chosen.taken.filter((c) => c.decision.action === 'enable');
    if (budget === undefined || options === undefined || enables.length === 0) return chosen;
    const total = cdnCost(chosen.current, options);
    const missing = total.missing[0];
    const over = total.figure.max > budget;
    if (missing && !over) {
      for (const c of enables)
        excluded.set(
          c.region.region,
          Number.isFinite(total.figure.max)
            ? `would enable (${c.decision.reason}), but with the changes proposed the CDN's cost is only known to be at least ${usd(total.figure.max)} a month (${missing.message}), so the budget of ${usd(budget)} a month cannot be checked`
            : `would enable (${c.decision.reason}), but the cost is unknown (${missing.message}), so the budget of ${usd(budget)} a month cannot be checked`,
        );
      continue;
    }
    if (!over) return chosen;
    const last = enables[enables.length - 1] as T;
    const why = `would enable (${last.decision.reason}), but with the changes proposed the CDN`;
    // Over at an upper bound (spot at the on-demand price) the CDN may fit, but nothing proves it does.
    excluded.set(
      last.region.region,
      missing
        ? `${why} would cost at least ${usd(total.figure.max)} a month, over the budget of ${usd(budget)} (what is priced alone exceeds it; ${missing.message})`
        : total.figure.bound === 'at-most'
          ? `${why} could cost up to ${usd(total.figure.max)} a month (spot nodes at the on-demand price, the most spot can charge), more than the budget of ${usd(budget)} allows`
          : `${why} would cost up to ${usd(total.max)} a month, over the budget of ${usd(budget)}`,
    );
  }
}
