// kubecdn purge: take URLs, or everything, out of every edge pod of every serving region.
import { appendFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { servingRegions } from '../core/config.js';
import { RegionConfigError, UsageError } from '../core/problems.js';
import { describeTarget, parsePurgeTarget, purgeMarkdown, regionComplete, runPurge, type Cluster } from '../core/purge.js';
import { kubectlCluster } from '../node/purge.js';
import { loadRegionDir } from '../node/region-dir.js';
import { EXIT } from './commands.js';
import type { Io } from './io.js';

export interface PurgeCommandOptions {
  dir: string;
  everything: boolean;
  hostname?: string;
  confirm?: string;
  reason: string;
  region?: string[];
  kubeContextPrefix: string;
  checkOnly: boolean;
  summary?: string;
}

/** Who purged: on a re-run, the user who re-ran it (GitHub keeps the first run's user in GITHUB_ACTOR). */
export function purgeActor(env: NodeJS.ProcessEnv): string {
  return env['GITHUB_TRIGGERING_ACTOR'] || env['GITHUB_ACTOR'] || userInfo().username;
}

export async function purge(io: Io, urls: string[], options: PurgeCommandOptions, cluster?: Cluster): Promise<number> {
  const loaded = await loadRegionDir(path.resolve(io.cwd, options.dir), io.cwd);
  if (!loaded.config) throw new RegionConfigError(loaded.problems);
  if (!options.reason.trim()) throw new UsageError('--reason is required: it goes in the record of the purge. Nothing was purged.');
  const target = parsePurgeTarget(
    {
      urls,
      everything: options.everything,
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
      ...(options.confirm !== undefined ? { confirm: options.confirm } : {}),
    },
    loaded.config.cdn.hostnames,
  );
  const serving = servingRegions(loaded.config).map((r) => r.region);
  for (const r of options.region ?? [])
    if (!serving.includes(r))
      throw new UsageError(`--region ${r} is not a serving region (serving: ${serving.join(', ')}). Nothing was purged.`);
  const regions = options.region?.length ? options.region : serving;
  if (options.checkOnly) {
    io.out(`would purge ${describeTarget(target)} in ${regions.join(', ')}`);
    return EXIT.ok;
  }
  const report = await runPurge({
    target,
    regions,
    reason: options.reason,
    actor: purgeActor(process.env),
    cluster: cluster ?? kubectlCluster((region) => `${options.kubeContextPrefix}${region}`),
    log: (line) => io.out(line),
  });
  if (options.summary) await appendFile(path.resolve(io.cwd, options.summary), purgeMarkdown(report));
  if (!report.ok) {
    const incomplete = report.regions.filter((r) => !regionComplete(r)).map((r) => r.region);
    io.err(`kubecdn purge: INCOMPLETE in ${incomplete.join(', ')}: not every running pod confirmed; run it again`);
    return EXIT.finding;
  }
  io.out(`purged ${describeTarget(target)}: every running pod in ${regions.length} region${regions.length === 1 ? '' : 's'} confirmed`);
  return EXIT.ok;
}
