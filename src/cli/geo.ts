// kubecdn geo: write the nginx geo map that labels each request with the region nearest its client.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { GeoStats } from '../core/edge/geo.js';
import { RegionConfigError, UsageError } from '../core/problems.js';
import { GEO_BUDGET, geoMap } from '../node/geo.js';
import { loadRegionDir } from '../node/region-dir.js';
import { EXIT, type Io } from './io.js';
import type { GeoOptions } from './program/edge.js';

export const GEO_FILE = 'manifests/base/near.conf';

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

export function statsText(s: GeoStats): string {
  return `IPv${s.family}: ${s.rows} rows (${s.overlaps} overlapping), ${s.lines} lines, blocks up to /${s.maxPrefix}, ${pct(s.moved)} of mapped space moved by coarsening`;
}

export async function geo(io: Io, options: GeoOptions): Promise<number> {
  const budget = options.budget === undefined ? GEO_BUDGET : Number(options.budget);
  if (!Number.isInteger(budget) || budget < 10_000) throw new UsageError('--budget is a whole number of bytes, at least 10000');
  const loaded = await loadRegionDir(path.resolve(io.cwd, options.dir), io.cwd);
  if (!loaded.config) throw new RegionConfigError(loaded.problems);
  const map = geoMap(loaded.config, { budget });
  for (const s of map.stats) io.err(statsText(s));
  io.err(
    `${map.bytes} bytes (budget ${budget}); by country: ${pct(map.countryCost)} of city dwellers counted for a region not their nearest`,
  );
  const file = path.resolve(io.cwd, options.out);
  if (options.check) {
    const current = await readFile(file, 'utf8').catch(() => '');
    if (current === map.text) return EXIT.ok;
    io.err(`kubecdn geo: ${options.out} is not the map for these region files; run kubecdn geo and commit it`);
    return EXIT.finding;
  }
  await writeFile(file, map.text);
  io.out(`wrote ${options.out}`);
  return EXIT.ok;
}
