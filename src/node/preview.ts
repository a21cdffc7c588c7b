// kubecdn preview: what a pull request of the working tree would show, computed locally.
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import type { Change } from './change.js';
import { loadChange } from './change.js';
import { loadRegionDir } from './region-dir.js';
import { planRegion, stackBackend } from './terraform.js';
import type { LoadResult } from '../core/config.js';
import { planTarget } from '../core/changes.js';
import { dnsDiff, type DnsDiffEntry } from '../core/dns/diff.js';
import { latencyImpact, type LatencyImpact } from '../core/latency/impact.js';
import { cities } from './cities.js';
import type { PlanSummary } from '../core/terraform.js';
import { costChange, type CostChange } from '../core/cost/model.js';
import { COMMITTED_PRICES } from '../core/cost/table.js';
import { candidateCosts } from '../core/cost/value.js';
import type { CandidateCosts } from '../core/latency/impact.js';
import { today } from './region-dir.js';

export interface PreviewOptions {
  readonly dir: string;
  /** The branch a pull request would merge into; default: the repository's default branch. */
  readonly base?: string;
  /** Run Terraform plans for the regions of the matrix. */
  readonly terraform: boolean;
  readonly stack: string;
  readonly out: string;
}

export interface Preview {
  readonly validation: LoadResult;
  /** Why there is no change to show (not a git repository, no default branch), if there is none. */
  readonly noChange?: string;
  readonly base?: string;
  readonly change?: Change;
  readonly summaries: readonly PlanSummary[];
  /** Why plans were not run, when they were not. */
  readonly unplanned?: string;
  readonly dns?: readonly DnsDiffEntry[];
  readonly latency?: LatencyImpact;
  readonly cost?: CostChange;
  readonly candidateCosts?: CandidateCosts;
}

/** origin's default branch, else a local main or master. */
export async function defaultBranch(cwd: string): Promise<string | undefined> {
  const git = $({ cwd, quiet: true, verbose: false, nothrow: true });
  const remote = await git`git symbolic-ref --quiet --short refs/remotes/origin/HEAD`;
  if (remote.exitCode === 0 && remote.stdout.trim()) return remote.stdout.trim();
  for (const name of ['main', 'master']) {
    if ((await git`git rev-parse --verify --quiet ${`refs/heads/${name}`}`).exitCode === 0) return name;
  }
  return undefined;
}

/** The region files a command reads: the change against `base` (default: the default branch), or the files alone outside git. */
export interface Against {
  readonly base: string | undefined;
  readonly change: Change | undefined;
  readonly head: LoadResult;
}

export async function againstBase(cwd: string, options: { readonly base?: string | undefined; readonly dir: string }): Promise<Against> {
  const base = options.base ?? (await defaultBranch(cwd));
  const change = base ? await loadChange(cwd, { base, dir: options.dir }) : undefined;
  const head = change?.head ?? (await loadRegionDir(path.resolve(cwd, options.dir), cwd));
  return { base, change, head };
}

/** Whether the AWS SDK and Terraform's AWS provider would find credentials, looking only at where they look. */
export async function awsCredentialsPresent(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const keys = [
    'AWS_ACCESS_KEY_ID',
    'AWS_PROFILE',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  ];
  if (keys.some((k) => env[k])) return true;
  const files = [
    env['AWS_SHARED_CREDENTIALS_FILE'] ?? path.join(homedir(), '.aws/credentials'),
    env['AWS_CONFIG_FILE'] ?? path.join(homedir(), '.aws/config'),
  ];
  for (const file of files) {
    if (
      await access(file).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}

export async function preview(cwd: string, options: PreviewOptions): Promise<Preview> {
  const inRepo = (await $({ cwd, quiet: true, verbose: false, nothrow: true })`git rev-parse --show-toplevel`).exitCode === 0;
  const alone = async (noChange: string): Promise<Preview> => ({
    validation: await loadRegionDir(path.resolve(cwd, options.dir), cwd),
    summaries: [],
    noChange,
  });
  if (!inRepo) return alone('not a git repository, so there is no base to compare with');
  const base = options.base ?? (await defaultBranch(cwd));
  if (!base) return alone('no default branch found (origin/HEAD, main or master); give --base');
  const change = await loadChange(cwd, { base, dir: options.dir });
  // The change has checked the working tree's files as a pull request would: that is the validation.
  const validation = change.head;
  if (!change.matrix || !change.head.config) return { validation, base, change, summaries: [] };
  const dns = dnsDiff(change.base, change.head.config);
  const latency = latencyImpact(cities(), change.base, change.head.config);
  // Costs from the committed price table and the default traffic assumption, both stated in the output.
  const costOptions = { prices: COMMITTED_PRICES, today: today() };
  const cost = costChange(change.base, change.head.config, costOptions);
  const costs = candidateCosts(latency, change.head.config, costOptions);
  const shown = { dns, latency, cost, candidateCosts: costs };
  if (!options.terraform)
    return { validation, base, change, ...shown, summaries: [], unplanned: 'not planned (preview --terraform plans)' };
  const stack = path.resolve(cwd, options.stack);
  if ((await stackBackend(stack)) === 's3' && !(await awsCredentialsPresent())) {
    return { validation, base, change, ...shown, summaries: [], unplanned: 'not planned: no AWS credentials found' };
  }
  const config = change.head.config;
  const summaries: PlanSummary[] = [];
  for (const entry of change.matrix.include) {
    const target = planTarget(entry.region, config, change.base);
    if (target) summaries.push(await planRegion({ stack, out: path.resolve(cwd, options.out), ...target, reason: entry.reason }));
  }
  return { validation, base, change, ...shown, summaries };
}
