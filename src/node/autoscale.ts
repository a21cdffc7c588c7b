// kubecdn autoscale: the region files, the demand from Prometheus at one time, the git history of
// each region's `enabled`, and the core's decisions; with `write`, the `enabled` values changed.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import type { Config } from '../core/config.js';
import { FILE_NAMES } from '../core/config.js';
import {
  decideAutoscale,
  demandByRegion,
  durationSeconds,
  enabledByRegion,
  longestWindowMinutes,
  type Decision,
} from '../core/autoscale.js';
import type { AutoscaleReport } from '../core/autoscale-render.js';
import type { CostOptions } from '../core/cost/model.js';
import { monthlyBudget } from '../core/cost/switch.js';
import { COMMITTED_PRICES } from '../core/cost/table.js';
import type { Place } from '../core/latency/model.js';
import { RegionConfigError, UsageError } from '../core/problems.js';
import { setEnabledText } from '../core/teardown.js';
import { repoRoot } from './git.js';
import { Prometheus, demandQuery, reportingQuery, type PrometheusOptions } from './prometheus.js';
import { loadRegionDir, today } from './region-dir.js';

export const DEFAULT_COOLDOWN = '6h';
export const DEFAULT_MAX_CHANGES = 1;
/** Seconds between the demand samples autoscale reads. */
export const STEP_SECONDS = 60;

export interface AutoscaleOptions {
  readonly prometheus: string;
  /** RFC 3339; default now. */
  readonly at?: string;
  readonly cooldown?: string;
  readonly maxChanges?: number;
  readonly dir: string;
  readonly write?: boolean;
  readonly places?: readonly Place[];
  /** Prices for each proposal's cost and the budget; default, the committed price table. */
  readonly costOptions?: CostOptions;
  readonly prometheusOptions?: PrometheusOptions;
  readonly log?: (line: string) => void;
}

export interface AutoscaleResult {
  readonly report: AutoscaleReport;
  /** The file whose `enabled` values were changed, when `write` changed any. */
  readonly written?: string;
}

export function parseAt(text: string | undefined, now = Date.now()): number {
  if (text === undefined) return Math.floor(now / 1000);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text))
    throw new UsageError(`--at takes an RFC 3339 time such as 2026-11-25T12:00:00Z, not "${text}"`);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`--at: no such time: ${text}`);
  return Math.floor(ms / 1000);
}

/**
 * When each scalable region's `enabled` last changed on the checked-out branch, up to `at`: each
 * commit of the branch itself (first parents only) compared with its first parent, at that
 * commit's time. A merged pull request counts from its merge, not from when its own commits were
 * made. Only the commits inside the cooldown are read: a change before them cannot hold a region back.
 */
export async function enabledChanges(cwd: string, file: string, at: number, sinceSeconds: number): Promise<Map<string, number>> {
  const root = await repoRoot(cwd);
  const git = $({ cwd: root, quiet: true, verbose: false });
  const shallow = (await git`git rev-parse --is-shallow-repository`).stdout.trim() === 'true';
  if (shallow)
    throw new UsageError(
      'the cooldown is read from the git history of scalable.yaml, and this clone is shallow: fetch the whole history (fetch-depth: 0)',
    );
  const relative = path.relative(root, path.resolve(cwd, file)).split(path.sep).join('/');
  // No path filter here: git's history simplification would hide a merge whose file matches its
  // second parent, and show the branch's own commit, with the proposal's time, instead.
  const log = await git`git log --first-parent --format=${'%H %ct %P'} --since=${`@${at - sinceSeconds}`} --until=${`@${at}`} HEAD`;
  const commits = log.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sha = '', time = '0', parent] = line.split(' ');
      return { sha, time: Number(time), parent };
    });
  const touched = await touching(root, relative, commits);
  const changed = new Map<string, number>();
  const show = async (rev: string | undefined) => {
    if (!rev) return new Map<string, boolean>();
    const out = await git`git show ${`${rev}:${relative}`}`.nothrow();
    return enabledByRegion(out.exitCode === 0 ? out.stdout : '');
  };
  for (const { sha, time, parent } of commits) {
    if (parent && touched && !touched.has(sha)) continue;
    const [after, before] = await Promise.all([show(sha), show(parent)]);
    for (const [region, enabled] of after) {
      if (!changed.has(region) && before.get(region) !== enabled) changed.set(region, time);
    }
  }
  return changed;
}

/**
 * The commits whose file differs from their first parent's, in one git process for them all:
 * diff-tree prints a commit's name only when its diff, limited to the file, is not empty.
 * Undefined when git cannot tell (the file outside the repository): every commit is then read.
 */
async function touching(
  root: string,
  relative: string,
  commits: readonly { sha: string; parent: string | undefined }[],
): Promise<Set<string> | undefined> {
  const input = commits.flatMap((c) => (c.parent ? [`${c.sha} ${c.parent}\n`] : [])).join('');
  if (!input) return new Set();
  const git = $({ cwd: root, quiet: true, verbose: false, input });
  const out = await git`git diff-tree --stdin --no-renames --name-only -r -- ${relative}`.nothrow();
  return out.exitCode === 0 ? new Set(out.stdout.split('\n')) : undefined;
}

export function settingsOf(config: Config, options: { cooldown?: string; maxChanges?: number }) {
  const cooldown = options.cooldown ?? config.cdn.autoscale?.cooldown ?? DEFAULT_COOLDOWN;
  const cooldownSeconds = durationSeconds(cooldown);
  if (cooldownSeconds === undefined) throw new UsageError(`--cooldown takes minutes, hours or days (90m, 6h, 2d), not "${cooldown}"`);
  const maxChanges = options.maxChanges ?? config.cdn.autoscale?.max_changes ?? DEFAULT_MAX_CHANGES;
  if (!Number.isInteger(maxChanges) || maxChanges < 1 || maxChanges > 100)
    throw new UsageError(`--max-changes takes a whole number from 1 to 100 (as cdn.yaml's autoscale.max_changes), not ${maxChanges}`);
  return { cooldown, cooldownSeconds, maxChanges };
}

export async function runAutoscale(cwd: string, options: AutoscaleOptions): Promise<AutoscaleResult> {
  const log = options.log ?? (() => undefined);
  const dir = path.resolve(cwd, options.dir);
  const loaded = await loadRegionDir(dir, cwd);
  if (!loaded.config) throw new RegionConfigError(loaded.problems);
  const config = loaded.config;
  const at = parseAt(options.at);
  const settings = settingsOf(config, options);
  const minutes = Math.max(1, longestWindowMinutes(config));

  const prometheus = new Prometheus(options.prometheus, options.prometheusOptions);
  log(`reading demand for the last ${minutes} min up to ${new Date(at * 1000).toISOString()} from ${options.prometheus}`);
  const [series, reporting] = await Promise.all([
    prometheus.query(demandQuery(minutes, STEP_SECONDS), at),
    prometheus.query(reportingQuery(minutes, STEP_SECONDS), at),
  ]);
  const demand = demandByRegion(
    series.map((s) => ({ near: s.metric['near'], samples: s.samples })),
    reporting.map((s) => ({ region: s.metric['region'], samples: s.samples })),
    config.regions.map((r) => r.region),
    config.regions.filter((r) => r.serving).map((r) => r.region),
  );
  const scalableFile = path.join(dir, FILE_NAMES.scalable);
  const lastChanged = await enabledChanges(cwd, scalableFile, at, settings.cooldownSeconds);

  const decisions: Decision[] = decideAutoscale({
    config,
    at,
    step: STEP_SECONDS,
    demand,
    lastChanged,
    settings: { cooldownSeconds: settings.cooldownSeconds, maxChanges: settings.maxChanges },
    ...(options.places ? { places: options.places } : {}),
    costOptions: options.costOptions ?? { prices: COMMITTED_PRICES, today: today() },
  });
  const budget = monthlyBudget(config);
  const report: AutoscaleReport = {
    at: new Date(at * 1000).toISOString().replace('.000Z', 'Z'),
    cooldown: settings.cooldown,
    maxChanges: settings.maxChanges,
    ...(budget !== undefined ? { budget } : {}),
    decisions,
  };
  const changes = decisions.filter((d) => d.action !== 'keep');
  if (!options.write || changes.length === 0) return { report };
  let text = await readFile(scalableFile, 'utf8');
  for (const d of changes) text = setEnabledText(text, d.region, d.action === 'enable');
  await writeFile(scalableFile, text);
  for (const d of changes) log(`${d.region}: enabled set to ${String(d.action === 'enable')} in ${options.dir}/${FILE_NAMES.scalable}`);
  return { report, written: scalableFile };
}
