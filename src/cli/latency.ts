// kubecdn latency: what a change does for users, from the world's cities to their nearest serving region.
import path from 'node:path';
import { candidateCosts } from '../core/cost/value.js';
import { latencyImpact, latencyToJson, latencyToMarkdown, latencyToText } from '../core/latency/impact.js';
import { UsageError } from '../core/problems.js';
import { problemsToText } from '../core/render.js';
import { cities } from '../node/cities.js';
import { againstBase } from '../node/preview.js';
import { loadPriceTable } from '../node/prices.js';
import { today } from '../node/region-dir.js';
import { EXIT, type Io } from './io.js';
import type { LatencyOptions } from './program/scaling.js';

export async function latency(io: Io, options: LatencyOptions): Promise<number> {
  const prices = await loadPriceTable(options.prices ? path.resolve(io.cwd, options.prices) : undefined);
  // --inflation has a default, so it is always there.
  const inflation = Number(options.inflation);
  if (!(inflation >= 1 && inflation <= 5)) throw new UsageError('--inflation is a factor from 1 (the physical lower bound) to 5');
  const { base, change, head } = await againstBase(io.cwd, options);
  if (!head.config) {
    io.err(problemsToText(head.problems, io.errStyle));
    return EXIT.finding;
  }
  const impact = latencyImpact(cities(), change ? change.base : head.config, head.config, { inflation });
  // The "would help most" line gains what switching the region on would cost (--prices, or the committed table).
  const costs = candidateCosts(impact, head.config, { prices, today: today() });
  if (options.format === 'json') io.out(JSON.stringify(latencyToJson(impact), null, 2));
  else if (options.format === 'markdown') io.out(latencyToMarkdown(impact, { costs }));
  else io.out(`${base ? `against ${base}` : 'the working tree'}\n${latencyToText(impact, { costs })}`);
  return EXIT.ok;
}
