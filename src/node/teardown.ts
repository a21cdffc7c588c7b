// Emergency teardown of one scalable region, in the only safe order: check, mark it disabled in
// the region files, drain its DNS and wait until resolvers have let go, then destroy its stack.
// Each step leaves a state the next run converges from: a drained region stays drained (it is
// disabled in the files), and a half-destroyed one is finished by the apply of the disabling
// pull request.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { $ } from 'zx';
import type { Config } from '../core/config.js';
import { dnsPlanToMarkdown } from '../core/dns/render.js';
import { DnsRefusedError } from '../core/dns/sync.js';
import { errorMessage, RegionConfigError, UsageError } from '../core/problems.js';
import { problemsToText } from '../core/render.js';
import { disableRegionText, teardownRefusal } from '../core/teardown.js';
import { runDns } from './dns.js';
import { FILE_NAMES } from '../core/config.js';
import { EDGE_NAMESPACE } from './manifests.js';
import { loadRegionDir } from './region-dir.js';
import type { Route53Options } from './route53.js';
import { applyRegion, planRegion } from './terraform.js';

export interface TeardownOptions {
  readonly dir: string;
  readonly region: string;
  readonly confirm: string;
  readonly reason: string;
  /** Who asked for it, for the record. */
  readonly actor: string;
  readonly stack: string;
  readonly out: string;
  readonly backendConfig?: readonly string[];
  readonly zoneId?: string;
  /** Seconds to wait after the drain is INSYNC; default, the records' TTL from cdn.yaml. */
  readonly settleSeconds?: number;
  /**
   * The kubectl context of the region's cluster. When given, the edge namespace is deleted (and
   * waited for) before the destroy, so EKS Auto Mode removes the load balancer
   * it made; left behind, its network interfaces would stop the VPC from being destroyed.
   */
  readonly kubeContext?: string;
  /** Stop after the checks: nothing is changed. */
  readonly checkOnly?: boolean;
  readonly route53?: Route53Options;
  readonly log?: (line: string) => void;
  readonly wait?: (ms: number) => Promise<void>;
}

export type StepName = 'check' | 'disable' | 'drain' | 'settle' | 'release' | 'destroy';

export interface TeardownReport {
  readonly region: string;
  readonly reason: string;
  readonly actor: string;
  readonly startedAt: string;
  finishedAt?: string;
  readonly steps: { name: StepName; ok: boolean; detail: string }[];
  /** The drain as planned, in Markdown. */
  dns?: string;
  /** Terraform addresses the destroy removed. */
  destroyed: string[];
  /** Whether the region files now mark the region disabled (the pull request to open). */
  disabled: boolean;
  drained: boolean;
  ok: boolean;
}

export async function runTeardown(cwd: string, options: TeardownOptions): Promise<TeardownReport> {
  const log = options.log ?? (() => undefined);
  const report: TeardownReport = {
    region: options.region,
    reason: options.reason,
    actor: options.actor,
    startedAt: new Date().toISOString(),
    steps: [],
    destroyed: [],
    disabled: false,
    drained: false,
    ok: false,
  };
  const step = (name: StepName, ok: boolean, detail: string) => {
    report.steps.push({ name, ok, detail });
    log(`${ok ? '✓' : '✗'} ${name}: ${detail}`);
    return ok;
  };
  const finish = () => {
    report.finishedAt = new Date().toISOString();
    return report;
  };

  const dir = path.resolve(cwd, options.dir);
  const before = await loadRegionDir(dir, cwd);
  if (!before.config) throw new RegionConfigError(before.problems);
  if (!options.reason.trim()) return (step('check', false, 'a reason is required: it goes in the record of the teardown'), finish());
  const refusal = teardownRefusal(before.config, options.region, options.confirm);
  if (refusal) return (step('check', false, refusal), finish());
  step('check', true, `${options.region} is a serving scalable region and others serve: ${servingOthers(before.config, options.region)}`);
  if (options.checkOnly) return ((report.ok = true), finish());

  // 1. Git is the truth: the region is disabled in the files before anything else changes.
  const file = path.join(dir, FILE_NAMES.scalable);
  const original = await readFile(file, 'utf8');
  await writeFile(file, disableRegionText(original, options.region));
  const after = await loadRegionDir(dir, cwd);
  if (!after.config) {
    await writeFile(file, original);
    throw new UsageError(
      `disabling ${options.region} made the region files invalid; nothing was changed:\n${problemsToText(after.problems)}`,
    );
  }
  report.disabled = true;
  step('disable', true, `${options.region} marked enabled: false in ${path.relative(cwd, file)}`);

  // 2. Drain: the sync sees the region no longer serving and removes its records, nothing else
  //    (regions without a target here keep theirs). Removing one region's share is expected, so
  //    the deletion-share guard is lifted; a hostname left with no region still refuses, and so
  //    does any record that would be left answering for the region (one whose ownership record
  //    was deleted is not ours, and stays): then the drain did not happen. If the drain fails,
  //    the region files are put back: the region still serves, and a run again starts from the
  //    checks.
  const drained = await drainDns(cwd, options, log);
  if (!drained.ok) {
    await writeFile(file, original);
    report.disabled = false;
    step('drain', false, `${drained.detail}; ${path.relative(cwd, file)} is as it was, and ${options.region} still serves`);
    return finish();
  }
  if (drained.markdown) report.dns = drained.markdown;
  report.drained = true;
  step('drain', true, drained.detail);

  // 3. Resolvers may hold an answer for the TTL; users leave the region before it goes away.
  const settle = settleWait(after.config.cdn.ttl, options.settleSeconds, drained.unconfirmed);
  await (options.wait ?? ((ms) => sleep(ms)))(settle.seconds * 1000);
  step('settle', true, settle.detail);

  // 4. The load balancer Kubernetes made goes with the edge, before the network under it.
  if (options.kubeContext) {
    const released = await $({
      nothrow: true,
      quiet: true,
    })`kubectl --context ${options.kubeContext} delete namespace ${EDGE_NAMESPACE} --ignore-not-found --wait --timeout=10m`;
    if (released.exitCode !== 0) return (step('release', false, `kubectl could not delete the edge: ${released.stderr.trim()}`), finish());
    step('release', true, `namespace ${EDGE_NAMESPACE} deleted in ${options.kubeContext}; its load balancer went with it`);
  }

  // 5. Destroy, planned and applied in one go: the pull request comes after, for the record.
  const region = after.config.regions.find((r) => r.region === options.region);
  if (!region) throw new Error(`${options.region} vanished from the region files`);
  // The stack and the plans are read where the command runs, as the region files are.
  const stack = path.resolve(cwd, options.stack);
  const out = path.resolve(cwd, options.out);
  const plan = await planRegion({
    stack,
    out,
    config: after.config,
    region,
    operation: 'destroy',
    reason: `teardown: ${options.reason}`,
    ...(options.backendConfig ? { backendConfig: options.backendConfig } : {}),
  });
  if (plan.status === 'failed')
    return (step('destroy', false, `the destroy plan failed at ${plan.error?.step ?? '?'}: ${plan.error?.message ?? ''}`), finish());
  const applied = plan.status === 'no-changes' ? { ok: true, output: '' } : await applyRegion({ stack, out, region: options.region });
  if (!applied.ok) return (step('destroy', false, `terraform destroy failed:\n${applied.output}`), finish());
  report.destroyed = [...plan.resources.delete];
  step('destroy', true, `${plan.resources.delete.length} resources destroyed`);
  report.ok = true;
  return finish();
}

/**
 * Route53 "generally" propagates a change to all its name servers "within 60 seconds"
 * (GetChange, API reference): the margin added when the drain was not confirmed INSYNC.
 */
export const UNCONFIRMED_MARGIN_SECONDS = 60;

/**
 * How long the teardown waits after the drain: the records' TTL (or the time asked for), plus a
 * margin when a batch of the drain was never confirmed INSYNC (its response was lost, or the
 * wait for INSYNC failed): resolvers may only start letting go once Route53 serves the change.
 */
export function settleWait(ttl: number, asked: number | undefined, unconfirmed: number): { seconds: number; detail: string } {
  const base = asked ?? ttl;
  const margin = unconfirmed > 0 ? UNCONFIRMED_MARGIN_SECONDS : 0;
  const why = asked === undefined || asked === ttl ? `the records' TTL` : `as asked (the records' TTL is ${ttl} s)`;
  return {
    seconds: base + margin,
    detail: margin
      ? `waited ${base + margin} s: ${base} s ${why}, and ${margin} s more because ${unconfirmed} batch${unconfirmed === 1 ? ' was' : 'es were'} not confirmed INSYNC`
      : `waited ${base} s, ${why}`,
  };
}

/**
 * The drain of one region's DNS, then a fresh read of the zone: the drain happened only if no
 * record at our hostnames answers for the region any more.
 */
export async function drainDns(
  cwd: string,
  options: Pick<TeardownOptions, 'dir' | 'region' | 'zoneId' | 'route53'>,
  log: (line: string) => void = () => undefined,
): Promise<{ ok: boolean; detail: string; markdown?: string; unconfirmed: number }> {
  const base = {
    dir: options.dir,
    targets: {},
    maxDeleteFraction: 1,
    drain: options.region,
    ...(options.zoneId ? { zoneId: options.zoneId } : {}),
  };
  const logger = {
    info: (line: string) => log(`  ${line}`),
    group: async <T>(title: string, work: () => Promise<T>) => (log(`  ${title}`), work()),
  };
  // A drain whose call fails may still have happened (a lost response, or a batch committed but
  // not INSYNC in time): the zone, read again, decides, never the error alone.
  let drain: Awaited<ReturnType<typeof runDns>> | undefined;
  let failure: unknown;
  try {
    drain = await runDns(cwd, { ...base, dryRun: false, log: logger }, options.route53);
  } catch (error) {
    if (error instanceof DnsRefusedError || error instanceof RegionConfigError || error instanceof UsageError)
      return { ok: false, detail: errorMessage(error), unconfirmed: 0 };
    failure = error;
    log(`  the drain failed (${errorMessage(error)}); reading the zone again to see what it left`);
  }
  try {
    const check = await runDns(cwd, { ...base, dryRun: true }, options.route53);
    const left = check.plan.units.filter((u) => u.region === options.region && u.kind === 'delete' && u.before).map((u) => u.before);
    if (check.plan.refusals.length)
      return { ok: false, detail: `the zone still holds records of ${options.region}: ${check.plan.refusals.join('; ')}`, unconfirmed: 0 };
    if (left.length)
      return {
        ok: false,
        unconfirmed: 0,
        detail: `${failure ? `${errorMessage(failure)}; ` : ''}the zone still holds ${left.length} record${left.length === 1 ? '' : 's'} of ${options.region}`,
      };
    const removed = drain
      ? drain.plan.units.filter((u) => u.region === options.region && u.kind === 'delete' && u.before).length
      : undefined;
    const how = failure
      ? `; the drain call failed (${errorMessage(failure)}), but the zone read again holds no record of ${options.region}: the change was made (a health check left behind is deleted by the next sync-dns)`
      : drain?.applied?.recovered
        ? `, ${drain.applied.recovered} batch${drain.applied.recovered === 1 ? '' : 'es'} found committed after a lost response, not confirmed INSYNC`
        : ', INSYNC';
    return {
      ok: true,
      // A failed call leaves at most the batch it was on unconfirmed.
      unconfirmed: failure ? Math.max(1, drain?.applied?.recovered ?? 0) : (drain?.applied?.recovered ?? 0),
      ...(drain ? { markdown: dnsPlanToMarkdown(drain.plan) } : {}),
      detail: `${removed === undefined ? 'the records' : `${removed} record${removed === 1 ? '' : 's'}`} of ${options.region} (with their ownership records) removed from ${drain?.zoneId ?? options.zoneId ?? 'the zone'}${how}; no record answers for ${options.region}`,
    };
  } catch (error) {
    return { ok: false, detail: errorMessage(failure ?? error), unconfirmed: 0 };
  }
}

function servingOthers(config: Config, region: string): string {
  return config.regions
    .filter((r) => r.serving && r.region !== region)
    .map((r) => r.region)
    .join(', ');
}

/** The job summary: who, why, what was removed, and what is left to do. */
export function teardownMarkdown(report: TeardownReport): string {
  const lines = [
    `## Teardown of ${report.region}: ${!report.ok ? (report.steps.length > 1 ? 'stopped' : 'refused') : report.steps.length > 1 ? 'done' : 'checks passed'}`,
    '',
    `| | |`,
    `|---|---|`,
    `| who | ${report.actor} |`,
    `| why | ${report.reason.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`,
    `| started | ${report.startedAt} |`,
    `| finished | ${report.finishedAt ?? ''} |`,
    '',
    ...report.steps.map((s) => `- ${s.ok ? '✅' : '❌'} **${s.name}**: ${s.detail.split('\n').join('\n  ')}`),
  ];
  if (report.dns) lines.push('', '### DNS removed', '', report.dns);
  if (report.destroyed.length) lines.push('', '### Destroyed', '', ...report.destroyed.map((a) => `- \`${a}\``));
  if (!report.ok && report.drained)
    lines.push(
      '',
      `**${report.region} is drained and disabled in the region files.** Merge the pull request that disables it: ` +
        'the apply workflow then finishes the destroy from wherever this one stopped.',
    );
  return `${lines.join('\n')}\n`;
}
