// What the money buys: the latency line's cost words, from the model and the latency candidates.
import type { Config } from '../config.js';
import type { CandidateCosts, LatencyImpact } from '../latency/impact.js';
import { UNKNOWN, type Figure } from './bound.js';
import { regionCost, type CostOptions } from './model.js';
import { candidateCostWords, rankByValue, type ValuedCandidate } from './render.js';

/** The region's own monthly cost when `head` switches it on, at the minimum and maximum; at least its priced parts when a price is missing. */
export function costOn(head: Config, region: string, options: CostOptions): Figure {
  const r = head.regions.find((x) => x.region === region);
  if (!r) return UNKNOWN;
  return regionCost({ ...r, serving: true }, head, options).figure;
}

/** Switched-off regions ranked by latency won per dollar, with the words the latency line gains. */
export function candidateCosts(latency: LatencyImpact, head: Config, options: CostOptions): CandidateCosts & { ranked: ValuedCandidate[] } {
  const ranked = rankByValue(latency.candidates, (region) => costOn(head, region, options));
  const byRegion = new Map(ranked.map((c) => [c.region, c]));
  const best = ranked.find((c) => Number.isFinite(c.msPerThousand));
  return {
    ranked,
    words: (region) => {
      const c = byRegion.get(region);
      return c ? candidateCostWords(c) : 'cost unknown';
    },
    ...(best ? { bestValue: { region: best.region, savedMs: best.savedMs } } : {}),
  };
}
