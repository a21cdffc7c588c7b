// kubecdn purge: take URLs, or everything, out of every edge pod of every serving region.
import { appendFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { servingRegions } from '../core/config.js';
import { RegionConfigError, UsageError } from '../core/problems.js';
import {
  describeTarget,
  parsePurgeTarget,
  purgeMarkdown,
  regionComplete,
  runPurge,
  type Cluster,
  type PurgeReport,
} from '../core/purge.js';
import { kubectlCluster } from '../node/purge.js';
import { loadRegionDir } from '../node/region-dir.js';
import { EXIT, type Io } from './io.js';
import type { PurgeOptions } from './program/operations.js';

export type PurgeCommandOptions = PurgeOptions & {
  /** The most one pod may take; not a command-line option (tests shorten it). */
  readonly podDeadlineMs?: number;
};

/** Who purged: on a re-run, the user who re-ran it (GitHub keeps the first run's user in GITHUB_ACTOR). */
export function purgeActor(env: NodeJS.ProcessEnv): string {
  return env['GITHUB_TRIGGERING_ACTOR'] || env['GITHUB_ACTOR'] || userInfo().username;
}

/** The record when no purge ran to its end: why, and what to do. */
function stoppedMarkdown(what: string, why: string, touched: boolean): string {
  return [
    `## Purge${what ? ` of ${what}` : ''}: ${touched ? 'STOPPED' : 'not run'}`,
    '',
    why,
    '',
    touched
      ? '**Not every pod confirmed.** Pods may still serve the old copy. Run the purge again: it is safe to repeat.'
      : 'Nothing was purged.',
    '',
  ].join('\n');
}

export async function purge(io: Io, urls: string[], options: PurgeCommandOptions, cluster?: Cluster): Promise<number> {
  // The record is written on every way out: a purge refused, one that ends, and one stopped.
  const summary = options.summary ? path.resolve(io.cwd, options.summary) : undefined;
  const record = async (markdown: string) => {
    if (summary) await appendFile(summary, markdown);
  };
  let what = '';
  let running = false;
  const stop = (signal: NodeJS.Signals) => {
    if (summary) appendFileSync(summary, stoppedMarkdown(what, `The purge was stopped (${signal}) before every pod confirmed.`, true));
    io.err(`kubecdn purge: stopped (${signal}) before every pod confirmed; run it again`);
    process.exit(EXIT.finding);
  };
  let report: PurgeReport;
  try {
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
    what = describeTarget(target);
    const serving = servingRegions(loaded.config).map((r) => r.region);
    for (const r of options.region ?? [])
      if (!serving.includes(r))
        throw new UsageError(`--region ${r} is not a serving region (serving: ${serving.join(', ')}). Nothing was purged.`);
    const regions = options.region?.length ? options.region : serving;
    if (options.checkOnly) {
      io.out(`would purge ${describeTarget(target)} in ${regions.join(', ')}`);
      return EXIT.ok;
    }
    running = true;
    process.once('SIGTERM', stop).once('SIGINT', stop);
    try {
      report = await runPurge({
        target,
        regions,
        reason: options.reason,
        actor: purgeActor(process.env),
        cluster: cluster ?? kubectlCluster((region) => `${options.kubeContextPrefix}${region}`),
        log: (line) => io.out(line),
        ...(options.podDeadlineMs !== undefined ? { podDeadlineMs: options.podDeadlineMs } : {}),
      });
    } finally {
      process.off('SIGTERM', stop).off('SIGINT', stop);
    }
  } catch (error) {
    await record(stoppedMarkdown(what, error instanceof Error ? error.message : String(error), running));
    throw error;
  }
  await record(purgeMarkdown(report));
  if (!report.ok) {
    const incomplete = report.regions.filter((r) => !regionComplete(r)).map((r) => r.region);
    io.err(`kubecdn purge: INCOMPLETE in ${incomplete.join(', ')}: not every running pod confirmed; run it again`);
    return EXIT.finding;
  }
  io.out(`purged ${what}: every running pod in ${report.regions.length} region${report.regions.length === 1 ? '' : 's'} confirmed`);
  return EXIT.ok;
}
