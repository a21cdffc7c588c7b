// The latency model over the whole city set against 30 regions; the target is under a second.
// Baseline: one pass over the cities that only reads their coordinates.
//   npx tsx bench/latency.ts
import { performance } from 'node:perf_hooks';
import { AWS_REGIONS } from '../src/core/aws-regions.js';
import { assign, figures } from '../src/core/latency/model.js';
import { cities } from '../src/node/cities.js';
import { ms, time } from './timing.js';

const loadStart = performance.now();
const places = cities();
const load = performance.now() - loadStart;
const regions = [...AWS_REGIONS.values()]
  .filter((r) => r.partition === 'aws')
  .slice(0, 30)
  .map((r) => r.code);

const model = time(5, () => figures(places, assign(places, regions).rtt));
const baseline = time(5, () => places.reduce((n, p) => n + p.latitude + p.longitude, 0));

console.log(`latency: ${places.length} cities, ${regions.length} regions`);
console.log(`  load the city set            ${ms(load)}`);
console.log(
  `  assign + figures, median 5   ${ms(model)}   ${model < 1000 ? 'under' : 'OVER'} the 1 s target; ${(model / baseline).toFixed(0)}x one pass over the coordinates (${ms(baseline)})`,
);
