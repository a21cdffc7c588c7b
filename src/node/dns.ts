// sync-dns from the command line or the action: the region files, the targets file, Route53.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { desiredState, type Desired } from '../core/dns/desired.js';
import { syncDns, type SyncResult } from '../core/dns/sync.js';
import { loadTargets } from '../core/dns/targets.js';
import { RegionConfigError, UsageError } from '../core/problems.js';
import { loadRegionDir, displayPath } from './region-dir.js';
import { route53, type Route53Options } from './route53.js';

export interface DnsOptions {
  readonly dir: string;
  readonly targets: string;
  readonly zoneId?: string;
  readonly hostname?: readonly string[];
  readonly exclude?: readonly string[];
  readonly force?: boolean;
  readonly dryRun: boolean;
  readonly maxDeleteFraction?: number;
}

export interface DnsRun extends SyncResult {
  readonly desired: Desired;
  readonly zoneId: string;
}

export async function runDns(cwd: string, options: DnsOptions, api: Route53Options = {}): Promise<DnsRun> {
  const loaded = await loadRegionDir(path.resolve(cwd, options.dir), cwd);
  if (!loaded.config) throw new RegionConfigError(loaded.problems);
  const targetsPath = path.resolve(cwd, options.targets);
  const text = await readFile(targetsPath, 'utf8').catch(() => {
    throw new UsageError(`no targets file at ${displayPath(targetsPath, cwd)}`);
  });
  const targets = loadTargets({ path: displayPath(targetsPath, cwd), text });
  if (!targets.targets) throw new RegionConfigError(targets.problems);
  const known = new Set(loaded.config.regions.map((r) => r.region));
  const unknown = (options.exclude ?? []).filter((r) => !known.has(r));
  if (unknown.length) throw new UsageError(`--exclude names regions that are not in the region files: ${unknown.join(', ')}`);
  const desired = desiredState({
    config: loaded.config,
    targets: targets.targets,
    ...(options.exclude ? { exclude: options.exclude } : {}),
    ...(options.hostname?.length ? { hostnames: options.hostname } : {}),
  });
  const zoneId = options.zoneId ?? loaded.config.cdn.zone_id;
  const result = await syncDns(route53(api), zoneId, desired, {
    nonce: () => randomUUID().slice(0, 8),
    dryRun: options.dryRun,
    ...(options.force ? { force: true } : {}),
    ...(options.maxDeleteFraction !== undefined ? { maxDeleteFraction: options.maxDeleteFraction } : {}),
  });
  return { ...result, desired, zoneId };
}
