// What autoscale's proposals cost, and the budget in cdn.yaml they must fit together: a set of
// switches is judged as a whole, since two regions that each fit the budget alone may not fit it
// together. A missing price is never read as zero.
import type { Config } from './config.js';
import { cdnCost, type CostOptions } from './cost/model.js';
import { MissingPriceError } from './cost/prices.js';
import { usd } from './cost/render.js';
import { monthlyBudget, regionSwitchCost } from './cost/switch.js';

/** The CDN's monthly cost change, from nodes at their minimum to their maximum; or why it is unknown. */
export type CostDelta = { readonly min: number; readonly max: number } | { readonly unknown: string };

/** What switching `region` on (or off) on top of `config` changes in the monthly bill. */
export function switchCost(config: Config, region: string, enable: boolean, options: CostOptions): CostDelta {
  try {
    const s = regionSwitchCost(config, region, options);
    const sign = enable ? 1 : -1;
    return { min: sign * s.on.min, max: sign * s.on.max };
  } catch (error) {
    if (error instanceof MissingPriceError) return { unknown: error.message };
    throw error;
  }
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
 * change applied. Over it, the lowest-ranked enable is held back and the rest selected again;
 * with a price missing, the budget cannot be checked and every enable is held back.
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
    if (missing) {
      for (const c of enables)
        excluded.set(
          c.region.region,
          `would enable (${c.decision.reason}), but the cost is unknown (${missing.message}), so the budget of ${usd(budget)} a month cannot be checked`,
        );
      continue;
    }
    if (total.max <= budget) return chosen;
    const last = enables[enables.length - 1] as T;
    excluded.set(
      last.region.region,
      `would enable (${last.decision.reason}), but with the changes proposed the CDN would cost up to ${usd(total.max)} a month, over the budget of ${usd(budget)}`,
    );
  }
}
