// kubecdn tf: the per-region Terraform runner each matrix job uses, runnable locally the same way.
import path from 'node:path';
import { planTarget, type PlanTarget } from '../core/changes.js';
import type { Config } from '../core/config.js';
import { RegionConfigError, UsageError } from '../core/problems.js';
import { terraformVariables } from '../core/terraform.js';
import { loadChange } from '../node/change.js';
import { loadRegionDir } from '../node/region-dir.js';
import { applyRegion, planRegion, refreshOutputs } from '../node/terraform.js';
import { EXIT, type Io } from './io.js';
import type { TfApplyOptions, TfOutputOptions, TfPlanOptions, TfVarsOptions } from './program/plans.js';

/** The plan targets of regions (see planTarget), reading --base only for a region removed from the files. */
async function resolveTargets(io: Io, codes: readonly string[], dir: string, base: string | undefined): Promise<PlanTarget[]> {
  const head = await loadRegionDir(path.resolve(io.cwd, dir), io.cwd);
  if (!head.config) throw new RegionConfigError(head.problems);
  const headConfig = head.config;
  let baseConfig: Config | undefined;
  const targets: PlanTarget[] = [];
  for (const code of codes) {
    let target = planTarget(code, headConfig);
    if (!target) {
      if (!base) throw new UsageError(`region ${code} is not in the region files; give --base to plan the destruction of a removed region`);
      baseConfig ??= (await loadChange(io.cwd, { base, dir })).base;
      target = planTarget(code, headConfig, baseConfig);
      if (!target) throw new UsageError(`region ${code} is neither in the region files nor at ${base}`);
    }
    targets.push(target);
  }
  return targets;
}

export async function vars(io: Io, options: TfVarsOptions): Promise<number> {
  const [target] = await resolveTargets(io, [options.region], options.dir, options.base);
  if (target) io.out(JSON.stringify(terraformVariables(target.config, target.region), null, 2));
  return EXIT.ok;
}

export async function plan(io: Io, options: TfPlanOptions): Promise<number> {
  const targets = await resolveTargets(io, options.region, options.dir, options.base);
  let failed = 0;
  for (const target of targets) {
    const summary = await planRegion({
      stack: path.resolve(io.cwd, options.stack),
      out: path.resolve(io.cwd, options.out),
      config: target.config,
      region: target.region,
      operation: target.operation,
      reason: options.reason ?? '',
      backendConfig: options.backendConfig,
      ...(options.critical ? { critical: options.critical } : {}),
      log: (line) => io.err(line),
    });
    const { create, update, delete: del, replace } = summary.counts;
    if (summary.status === 'failed') {
      failed += 1;
      io.err(
        `${target.region.region}: ${target.operation} failed at terraform ${summary.error?.step ?? ''}\n${summary.error?.message ?? ''}`,
      );
    } else {
      io.out(
        `${target.region.region}: ${target.operation}, ${summary.status === 'no-changes' ? 'no changes' : `${create} to add, ${update} to change, ${del} to destroy, ${replace} to replace`}`,
      );
    }
  }
  io.out(`summaries in ${path.join(options.out, '<region>', 'summary.json')}`);
  return failed ? EXIT.finding : EXIT.ok;
}

export async function apply(io: Io, options: TfApplyOptions): Promise<number> {
  let failed = 0;
  for (const region of options.region) {
    const result = await applyRegion({
      stack: path.resolve(io.cwd, options.stack),
      out: path.resolve(io.cwd, options.out),
      region,
      log: (line) => io.err(line),
    });
    if (result.ok) io.out(`${region}: applied`);
    else {
      failed += 1;
      io.err(`${region}: apply failed\n${result.output}`);
    }
  }
  return failed ? EXIT.finding : EXIT.ok;
}

export async function output(io: Io, options: TfOutputOptions): Promise<number> {
  const targets = await resolveTargets(io, options.region, options.dir, undefined);
  let failed = 0;
  for (const target of targets) {
    const result = await refreshOutputs({
      stack: path.resolve(io.cwd, options.stack),
      out: path.resolve(io.cwd, options.out),
      config: target.config,
      region: target.region,
      backendConfig: options.backendConfig,
      log: (line) => io.err(line),
    });
    if (result.ok) io.out(`${target.region.region}: outputs in ${path.relative(io.cwd, result.output)}`);
    else {
      failed += 1;
      io.err(`${target.region.region}: reading the outputs failed\n${result.output}`);
    }
  }
  return failed ? EXIT.finding : EXIT.ok;
}
