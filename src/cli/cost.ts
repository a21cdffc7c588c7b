// kubecdn cost and kubecdn prices refresh.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { costChange, type CostOptions } from '../core/cost/model.js';
import { checkPriceTable } from '../core/cost/prices.js';
import { candidateCostWords, costChangeToJson, costChangeToMarkdown, costChangeToText, figureJson } from '../core/cost/render.js';
import { parseTraffic } from '../core/cost/table.js';
import { candidateCosts } from '../core/cost/value.js';
import { latencyImpact } from '../core/latency/impact.js';
import { problemsToText } from '../core/render.js';
import { cities } from '../node/cities.js';
import { againstBase } from '../node/preview.js';
import { loadPriceTable, PricingClient, refreshPrices } from '../node/prices.js';
import { today } from '../node/region-dir.js';
import { EXIT, type Io } from './io.js';
import type { CostOptions as CostCommandOptions, PricesRefreshOptions } from './program/scaling.js';

/**
 * Exit 0 with every figure known, 1 when a price is missing (the output names region and item) or
 * the files are invalid. With --allow-missing, missing prices alone exit 0, each listed on stderr.
 */
export async function cost(io: Io, options: CostCommandOptions): Promise<number> {
  const traffic = parseTraffic(options.traffic);
  const prices = await loadPriceTable(options.prices ? path.resolve(io.cwd, options.prices) : undefined);
  const { base, change, head } = await againstBase(io.cwd, options);
  if (!head.config) {
    io.err(problemsToText(head.problems, io.errStyle));
    return EXIT.finding;
  }
  const costOptions: CostOptions = { prices, traffic, today: today() };
  const result = costChange(change?.base, head.config, costOptions);
  const latency = latencyImpact(cities(), change?.base, head.config);
  const value = candidateCosts(latency, head.config, costOptions);
  if (options.format === 'json') {
    const candidates = value.ranked.map(({ cost, min: _min, max: _max, ...c }) => ({ ...c, ...figureJson(cost) }));
    io.out(JSON.stringify({ ...costChangeToJson(result), candidates }, null, 2));
  } else if (options.format === 'markdown') io.out(costChangeToMarkdown(result, latency));
  else {
    io.out(`${base ? `against ${base}` : 'the working tree alone'}\n${costChangeToText(result, io.outStyle)}`);
    if (value.ranked.length) {
      io.out(`\n${io.outStyle.bold('Switched-off regions, by latency won per dollar')}`);
      for (const c of value.ranked) io.out(`${c.region.padEnd(16)} −${c.savedMs.toFixed(0)} ms on average, ${candidateCostWords(c)}`);
    }
  }
  const missing = [...new Set([...result.after.missing, ...(result.before?.missing ?? [])].map((m) => `${m.region}: ${m.item}`))];
  if (!missing.length) return EXIT.ok;
  if (!options.allowMissing) return EXIT.finding;
  io.err(
    `kubecdn cost: ${missing.length} prices missing (figures that need them are lower bounds or unknown):\n${missing.map((m) => `  ${m}`).join('\n')}`,
  );
  return EXIT.ok;
}

export async function pricesRefresh(io: Io, options: PricesRefreshOptions): Promise<number> {
  // The Price List Query API answers in us-east-1 (and a few other regions); prices cover every region.
  const client = new PricingClient({ region: 'us-east-1', ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
  const table = await refreshPrices(client, {
    today: today(),
    ...(options.region?.length ? { regions: options.region } : {}),
    ...(options.instanceType?.length ? { instanceTypes: options.instanceType } : {}),
    log: (line) => io.err(line),
  });
  const problems = options.region?.length ? [] : checkPriceTable(table);
  const out = path.resolve(io.cwd, options.out);
  await writeFile(out, `${JSON.stringify(table, null, 2)}\n`);
  const missing = JSON.stringify(table).split('"missing"').length - 1;
  io.out(`wrote ${options.out}: prices of ${table.date}, ${Object.keys(table.regions).length} regions, ${missing} prices missing`);
  for (const p of problems) io.err(`kubecdn prices: ${p}`);
  return problems.length ? EXIT.finding : EXIT.ok;
}
