// sync-dns from the command line or the action: the region files, the targets file, Route53.
import { randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { desiredState, type Desired, type Target } from '../core/dns/desired.js';
import { hostnameProblem } from '../core/dns/hostnames.js';
import { syncDns, type Logger, type SyncResult } from '../core/dns/sync.js';
import { loadTargets } from '../core/dns/targets.js';
import { FILE_NAMES } from '../core/config.js';
import { RegionConfigError, UsageError } from '../core/problems.js';
import { loadRegionDir, displayPath } from './region-dir.js';
import { route53, type Route53Options } from './route53.js';

export interface DnsOptions {
  readonly dir: string;
  /** A targets file, a folder of them, or the targets themselves. */
  readonly targets: string | Readonly<Record<string, Target>>;
  readonly zoneId?: string;
  readonly hostname?: readonly string[];
  readonly exclude?: readonly string[];
  readonly force?: boolean;
  readonly dryRun: boolean;
  readonly maxDeleteFraction?: number;
  /** Take as ours the records at our places whose ownership record was deleted. */
  readonly adopt?: boolean;
  /** The region a teardown drains: a record left answering for it refuses the run. */
  readonly drain?: string;
  readonly log?: Logger;
}

export interface DnsRun extends SyncResult {
  readonly desired: Desired;
  readonly zoneId: string;
}

export async function runDns(cwd: string, options: DnsOptions, api: Route53Options = {}): Promise<DnsRun> {
  const loaded = await loadRegionDir(path.resolve(cwd, options.dir), cwd);
  if (!loaded.config) throw new RegionConfigError(loaded.problems);
  const targets = typeof options.targets === 'string' ? await readTargets(path.resolve(cwd, options.targets), cwd) : options.targets;
  const known = new Set(loaded.config.regions.map((r) => r.region));
  const unknown = (options.exclude ?? []).filter((r) => !known.has(r));
  if (unknown.length) throw new UsageError(`--exclude names regions that are not in the region files: ${unknown.join(', ')}`);
  // Hostnames given here skip the schema: they are checked before anything is read or written.
  const badHostnames = (options.hostname ?? []).flatMap((h) => hostnameProblem(h.toLowerCase()) ?? []);
  if (badHostnames.length) throw new UsageError(`--hostname: ${badHostnames.join('; ')}`);
  const desired = desiredState({
    config: loaded.config,
    targets,
    ...(options.exclude ? { exclude: options.exclude } : {}),
    ...(options.hostname?.length ? { hostnames: options.hostname.map((h) => h.replace(/\.$/, '')) } : {}),
  });
  const zoneId = options.zoneId ?? loaded.config.cdn.zone_id;
  const result = await syncDns(route53(api), zoneId, desired, {
    nonce: () => randomUUID().slice(0, 8),
    dryRun: options.dryRun,
    ...(options.force ? { force: true } : {}),
    ...(options.maxDeleteFraction !== undefined ? { maxDeleteFraction: options.maxDeleteFraction } : {}),
    ...(options.adopt ? { adopt: true } : {}),
    ...(options.drain ? { drain: options.drain } : {}),
    ...(options.log ? { log: options.log } : {}),
  }).catch(async (error: unknown) => {
    throw await withHint(error, zoneId, options.zoneId ? undefined : path.resolve(cwd, options.dir, FILE_NAMES.cdn), cwd);
  });
  return { ...result, desired, zoneId };
}

/**
 * The load-balancer targets: one JSON file, or a folder of them (each apply job uploads its
 * region's own file). A region given twice is an error, not a silent choice.
 */
export async function readTargets(targetsPath: string, cwd: string): Promise<Record<string, Target>> {
  const shown = displayPath(targetsPath, cwd);
  const info = await stat(targetsPath).catch(() => {
    throw new UsageError(`no targets file or folder at ${shown}`);
  });
  const files = info.isDirectory()
    ? (await readdir(targetsPath, { recursive: true }))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(targetsPath, f))
    : [targetsPath];
  const merged: Record<string, Target> = {};
  const from = new Map<string, string>();
  for (const file of files) {
    const source = { path: displayPath(file, cwd), text: await readFile(file, 'utf8') };
    const loaded = loadTargets(source);
    if (!loaded.targets) throw new RegionConfigError(loaded.problems);
    for (const [region, target] of Object.entries(loaded.targets)) {
      const earlier = from.get(region);
      if (earlier) throw new UsageError(`${source.path}: ${region} already has a target in ${earlier}`);
      from.set(region, source.path);
      merged[region] = target;
    }
  }
  return merged;
}

/**
 * The two failures a first `dns plan` meets, with what to do: a zone Route53 does not know (pointing at
 * zone_id in cdn.yaml, or at --zone-id), and no AWS credentials. Anything else is passed on as it is.
 */
async function withHint(error: unknown, zoneId: string, cdnFile: string | undefined, cwd: string): Promise<unknown> {
  const name = (error as { name?: string } | undefined)?.name;
  if (name === 'NoSuchHostedZone') {
    let where = '--zone-id';
    if (cdnFile) {
      const lines = (await readFile(cdnFile, 'utf8').catch(() => '')).split('\n');
      const index = lines.findIndex((l) => /^\s*zone_id\s*:/.test(l));
      const column = (lines[index]?.indexOf(':') ?? 0) + 3;
      where = index >= 0 ? `${displayPath(cdnFile, cwd)}:${index + 1}:${column} (zone_id)` : displayPath(cdnFile, cwd);
    }
    return new UsageError(
      `Route53 has no hosted zone ${zoneId} (from ${where}) in this account: set zone_id to your zone's id, or give --zone-id; ` +
        '`aws route53 list-hosted-zones` lists them',
    );
  }
  if (name === 'CredentialsProviderError')
    return new UsageError(
      'no AWS credentials found: sign in (aws configure, AWS_PROFILE or the AWS_* variables), or point ' +
        'AWS_ENDPOINT_URL_ROUTE_53 at a local Route53-compatible server such as moto_server to try it out',
    );
  return error;
}
