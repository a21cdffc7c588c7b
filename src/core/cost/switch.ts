// For region autoscaling: what switching regions on or off costs a month, and the optional
// monthly budget in cdn.yaml (`budget: { monthly_usd: N }`) that switching on must stay within.
// Regions switched on together are judged together: each may fit the budget alone while the set
// does not. A missing price leaves only lower bounds, which can prove a set over the budget but
// never within it.
import type { Config } from '../config.js';
import { cdnCost, type CdnCost, type CostOptions } from './model.js';

/** The monthly budget from cdn.yaml (`budget: { monthly_usd: N }`), if one is set. */
export function monthlyBudget(config: Config): number | undefined {
  return config.cdn.budget?.monthly_usd;
}

export interface SwitchCost {
  readonly region: string;
  /** The region's own monthly cost when it runs: the range from minimum to maximum nodes. */
  readonly on: { readonly min: number; readonly max: number };
  /** What it costs switched off: nothing (a switched-off region's stack is destroyed). */
  readonly off: { readonly min: 0; readonly max: 0 };
  /** The whole CDN's monthly maximum with the region on, and with it off. */
  readonly totalWithOn: number;
  readonly totalWithOff: number;
  readonly budget?: number;
  /** Whether the CDN stays within the budget at its maximum with the region on (true without a budget). */
  readonly fitsBudget: boolean;
  /**
   * exact; at-least: a price is missing, every figure is the sum of the priced parts, and fitsBudget
   * is false; at-most: every price is there, but spot nodes are at the on-demand price, the most
   * spot can charge, so each figure is an upper bound (which can prove the CDN within the budget).
   */
  readonly bound: 'exact' | 'at-least' | 'at-most';
}

/** Within the budget: proven only by an exact figure or an upper bound at the maximum. */
const fits = (on: CdnCost, budget: number | undefined) =>
  budget === undefined || ((on.figure.bound === 'exact' || on.figure.bound === 'at-most') && on.figure.max <= budget);

const boundOf = (on: CdnCost, off: CdnCost): SwitchCost['bound'] => {
  const bounds = [on.figure.bound, off.figure.bound];
  if (bounds.some((b) => b === 'at-least' || b === 'unknown')) return 'at-least';
  return bounds.includes('at-most') ? 'at-most' : 'exact';
};

/**
 * A price is missing on either side: the figures are lower bounds. Over the budget they prove the
 * CDN over it; otherwise nothing is proven, and the missing price is thrown.
 */
function overBudgetOrThrow(on: CdnCost, off: CdnCost, budget: number | undefined): void {
  const first = on.missing[0] ?? off.missing[0];
  if (first && !(budget !== undefined && on.figure.max > budget)) throw first;
}

/**
 * What switching `region` on or off would cost a month, judged against the budget in cdn.yaml.
 * Throws MissingPriceError (naming region and item) when a price it needs is missing, unless the
 * priced parts alone already put the CDN over the budget: then it returns lower bounds, `bound:
 * 'at-least'` and fitsBudget false. The autoscaler must not switch a region on blind.
 */
export function regionSwitchCost(config: Config, region: string, options: CostOptions): SwitchCost {
  const target = config.regions.find((r) => r.region === region);
  if (!target) throw new Error(`region ${region} is not in the region files`);
  const withServing = (serving: boolean): Config => ({
    ...config,
    regions: config.regions.map((r) => (r.region === region ? { ...r, serving } : r)),
  });
  const on = cdnCost(withServing(true), options);
  const off = cdnCost(withServing(false), options);
  const budget = monthlyBudget(config);
  overBudgetOrThrow(on, off, budget);
  const own = on.regions.find((r) => r.region === region)?.figure;
  return {
    region,
    on: { min: own?.min ?? 0, max: own?.max ?? 0 },
    off: { min: 0, max: 0 },
    totalWithOn: on.figure.max,
    totalWithOff: off.figure.max,
    ...(budget !== undefined ? { budget } : {}),
    fitsBudget: fits(on, budget),
    bound: boundOf(on, off),
  };
}

export interface SetSwitchCost {
  readonly regions: readonly string[];
  /** Each region's own monthly cost when it runs. */
  readonly on: Readonly<Record<string, { readonly min: number; readonly max: number }>>;
  /** The whole CDN's monthly maximum with every region of the set on, and with every one off. */
  readonly totalWithOn: number;
  readonly totalWithOff: number;
  readonly budget?: number;
  /** Whether the CDN stays within the budget at its maximum with the whole set on (true without a budget). */
  readonly fitsBudget: boolean;
  /** As SwitchCost's. */
  readonly bound: 'exact' | 'at-least' | 'at-most';
}

/**
 * What switching a set of regions on together (or off together) would cost a month, judged
 * against the budget in cdn.yaml as one change. Throws MissingPriceError, or returns lower bounds
 * that prove the set over the budget, as regionSwitchCost does.
 */
export function regionsSwitchCost(config: Config, regions: readonly string[], options: CostOptions): SetSwitchCost {
  for (const region of regions)
    if (!config.regions.some((r) => r.region === region)) throw new Error(`region ${region} is not in the region files`);
  const set = new Set(regions);
  const withServing = (serving: boolean): Config => ({
    ...config,
    regions: config.regions.map((r) => (set.has(r.region) ? { ...r, serving } : r)),
  });
  const on = cdnCost(withServing(true), options);
  const off = cdnCost(withServing(false), options);
  const budget = monthlyBudget(config);
  overBudgetOrThrow(on, off, budget);
  return {
    regions: [...set],
    on: Object.fromEntries(
      [...set].map((code) => {
        const own = on.regions.find((r) => r.region === code)?.figure;
        return [code, { min: own?.min ?? 0, max: own?.max ?? 0 }];
      }),
    ),
    totalWithOn: on.figure.max,
    totalWithOff: off.figure.max,
    ...(budget !== undefined ? { budget } : {}),
    fitsBudget: fits(on, budget),
    bound: boundOf(on, off),
  };
}
