// The kubecdn commands. Each returns its exit code: 0 success, 1 a finding, 2 a usage error.
import * as core from '@actions/core';
import path from 'node:path';
import {
  awsRegionsToJson,
  awsRegionsToText,
  problemsToAnnotations,
  problemsToJson,
  problemsToText,
  regionsToJson,
  regionsToText,
} from '../core/render.js';
import { renderPreviewMarkdown, renderPreviewText } from '../core/preview.js';
import { renderComment } from '../core/comment.js';
import type { Matrix } from '../core/changes.js';
import { UsageError } from '../core/problems.js';
import { appliedLine, dnsPlanToJson, dnsPlanToMarkdown, dnsPlanToText } from '../core/dns/render.js';
import { DnsRefusedError, isRefused, type Logger } from '../core/dns/sync.js';
import { loadChange } from '../node/change.js';
import { runDns } from '../node/dns.js';
import { renderManifests } from '../node/manifests.js';
import { latencyImpact, latencyToJson, latencyToMarkdown, latencyToText } from '../core/latency/impact.js';
import { cities } from '../node/cities.js';
import { defaultBranch } from '../node/preview.js';
import { preview as buildPreview } from '../node/preview.js';
import { readSummaries, stackOutputs } from '../node/terraform.js';
import { loadRegionDir, today } from '../node/region-dir.js';
import { loadPriceTable } from '../node/prices.js';
import { candidateCosts } from '../core/cost/value.js';
import type { Io } from './io.js';

export const EXIT = { ok: 0, finding: 1, usage: 2 } as const;

export type Format = 'text' | 'json' | 'github';

export async function validate(io: Io, options: { dir: string; format: Format }): Promise<number> {
  const result = await loadRegionDir(path.resolve(io.cwd, options.dir), io.cwd);
  switch (options.format) {
    case 'json':
      io.out(JSON.stringify(problemsToJson(result.problems), null, 2));
      break;
    case 'github':
      // @actions/core writes the workflow commands, escaping as the runner expects.
      for (const a of problemsToAnnotations(result.problems)) core[a.level](a.message, a.properties);
      break;
    case 'text':
      io.out(problemsToText(result.problems, io.outStyle));
      break;
  }
  return result.config ? EXIT.ok : EXIT.finding;
}

export async function regions(io: Io, options: { dir: string; json: boolean; all: boolean }): Promise<number> {
  const result = await loadRegionDir(path.resolve(io.cwd, options.dir), io.cwd);
  if (!result.config) {
    io.err(problemsToText(result.problems, io.errStyle));
    return EXIT.finding;
  }
  if (options.json) io.out(JSON.stringify(options.all ? awsRegionsToJson(result.config) : regionsToJson(result.config), null, 2));
  else io.out(options.all ? awsRegionsToText(result.config) : regionsToText(result.config, io.outStyle));
  return EXIT.ok;
}

export async function preview(
  io: Io,
  options: { dir: string; format: 'text' | 'markdown'; base?: string; terraform: boolean; stack: string; out: string },
): Promise<number> {
  const result = await buildPreview(io.cwd, options);
  const model = {
    validation: result.validation,
    summaries: result.summaries,
    ...(result.base ? { base: result.base } : {}),
    ...(result.change ? { baseSha: result.change.baseSha } : {}),
    ...(result.change?.matrix ? { matrix: result.change.matrix } : {}),
    ...(result.change?.edge?.length ? { edge: result.change.edge } : {}),
    ...(result.change?.cdnWide ? { cdnWide: result.change.cdnWide } : {}),
    ...(result.unplanned ? { unplanned: result.unplanned } : {}),
    ...(result.noChange ? { noChange: result.noChange } : {}),
    ...(result.dns ? { dns: result.dns } : {}),
    ...(result.latency ? { latency: result.latency } : {}),
    ...(result.cost ? { cost: result.cost } : {}),
    ...(result.candidateCosts ? { candidateCosts: result.candidateCosts } : {}),
  };
  io.out(options.format === 'markdown' ? renderPreviewMarkdown(model) : renderPreviewText(model, io.outStyle));
  return result.validation.config && !result.summaries.some((s) => s.status === 'failed') ? EXIT.ok : EXIT.finding;
}

export async function matrix(io: Io, options: { base: string; head?: string; dir: string }): Promise<number> {
  const change = await loadChange(io.cwd, options);
  if (!change.matrix) {
    io.err(problemsToText(change.head.problems, io.errStyle));
    return EXIT.finding;
  }
  io.out(JSON.stringify(change.matrix));
  return EXIT.ok;
}

export interface CommentOptions {
  summaries: string;
  dir: string;
  commit?: string;
  matrix?: string;
  fullPlans?: string;
}

export async function comment(io: Io, options: CommentOptions): Promise<number> {
  const summaries = await readSummaries(path.resolve(io.cwd, options.summaries));
  const validation = await loadRegionDir(path.resolve(io.cwd, options.dir), io.cwd);
  const matrix = options.matrix ? parseMatrix(options.matrix) : undefined;
  io.out(
    renderComment({
      summaries,
      problems: validation.problems,
      ...(matrix ? { matrix } : {}),
      ...(options.commit ? { commit: options.commit } : {}),
      fullPlans: options.fullPlans ?? path.join(options.summaries, '<region>', 'plan.txt'),
    }),
  );
  return summaries.some((s) => s.status === 'failed') || !validation.config ? EXIT.finding : EXIT.ok;
}

function parseMatrix(text: string): Matrix {
  try {
    const matrix = JSON.parse(text) as Matrix;
    if (!Array.isArray(matrix.include)) throw new Error('no include list');
    return matrix;
  } catch (error) {
    throw new UsageError(`--matrix is not a matrix as kubecdn matrix prints it: ${(error as Error).message}`);
  }
}

export interface DnsCommandOptions {
  dir: string;
  targets: string;
  zoneId?: string;
  hostname?: string[];
  exclude?: string[];
  force: boolean;
  adopt: boolean;
  format: 'text' | 'json' | 'markdown';
}

/** dns plan and dns apply: exit 0 done (or nothing to do), 1 refused or failed. */
export async function dns(io: Io, options: DnsCommandOptions & { apply: boolean }): Promise<number> {
  try {
    // Progress goes to standard error, so that standard output stays the plan (or its JSON).
    const log: Logger = {
      info: (line) => io.err(`  ${line}`),
      group: async (title, work) => {
        io.err(title);
        return work();
      },
    };
    const run = await runDns(io.cwd, { ...options, dryRun: !options.apply, log });
    const refused = isRefused(run.plan, options.force);
    if (options.format === 'json')
      io.out(JSON.stringify({ zoneId: run.zoneId, ...dnsPlanToJson(run.plan), applied: run.applied ?? null }, null, 2));
    else if (options.format === 'markdown') io.out(dnsPlanToMarkdown(run.plan));
    else {
      io.out(dnsPlanToText(run.plan, io.outStyle));
      if (run.applied) io.out(`applied: ${appliedLine(run.applied)}`);
    }
    if (!refused && run.plan.conflicts.length)
      io.err(
        `kubecdn dns: ${run.plan.conflicts.length} conflict${run.plan.conflicts.length === 1 ? '' : 's'} left as ${run.plan.conflicts.length === 1 ? 'it is' : 'they are'}${options.apply ? ', the rest applied' : ''}: ${run.plan.conflicts.join('; ')}`,
      );
    return refused || run.plan.conflicts.length ? EXIT.finding : EXIT.ok;
  } catch (error) {
    if (!(error instanceof DnsRefusedError)) throw error;
    io.err(`kubecdn dns: ${error.message}`);
    return EXIT.finding;
  }
}

export async function manifests(
  io: Io,
  options: { region: string; dir: string; manifests: string; certificateArn?: string; metricsWorkspaceArn?: string; out: string },
): Promise<number> {
  const loaded = await loadRegionDir(path.resolve(io.cwd, options.dir), io.cwd);
  if (!loaded.config) {
    io.err(problemsToText(loaded.problems, io.errStyle));
    return EXIT.finding;
  }
  const region = loaded.config.regions.find((r) => r.region === options.region);
  if (!region) throw new UsageError(`region ${options.region} is not in the region files`);
  // The certificate the region's stack made, as its last apply wrote it, unless one is given.
  const applied = await stackOutputs(path.resolve(io.cwd, options.out), region.region);
  const certificateArn =
    options.certificateArn ?? (typeof applied?.['certificate_arn'] === 'string' ? applied['certificate_arn'] : undefined);
  // The demand workspace likewise: with one, the region also runs the metrics agent.
  const metricsWorkspaceArn =
    options.metricsWorkspaceArn ?? (typeof applied?.['metrics_workspace_arn'] === 'string' ? applied['metrics_workspace_arn'] : undefined);
  const rendered = await renderManifests(path.resolve(io.cwd, options.manifests), loaded.config, region, {
    ...(certificateArn ? { certificateArn } : {}),
    ...(metricsWorkspaceArn ? { metricsWorkspaceArn } : {}),
  });
  for (const problem of rendered.problems) io.err(`kubecdn manifests: ${problem}`);
  if (rendered.problems.length) return EXIT.finding;
  io.out(rendered.yaml);
  return EXIT.ok;
}

export async function latency(
  io: Io,
  options: { base?: string; dir: string; format: 'text' | 'json' | 'markdown'; inflation?: string; prices?: string },
): Promise<number> {
  const prices = await loadPriceTable(options.prices ? path.resolve(io.cwd, options.prices) : undefined);
  const inflation = options.inflation === undefined ? undefined : Number(options.inflation);
  if (inflation !== undefined && !(inflation >= 1 && inflation <= 5))
    throw new UsageError('--inflation is a factor from 1 (the physical lower bound) to 5');
  const base = options.base ?? (await defaultBranch(io.cwd));
  const change = base ? await loadChange(io.cwd, { base, dir: options.dir }) : undefined;
  const head = change?.head ?? (await loadRegionDir(path.resolve(io.cwd, options.dir), io.cwd));
  if (!head.config) {
    io.err(problemsToText(head.problems, io.errStyle));
    return EXIT.finding;
  }
  const impact = latencyImpact(cities(), change ? change.base : head.config, head.config, inflation === undefined ? {} : { inflation });
  // The "would help most" line gains what switching the region on would cost (--prices, or the committed table).
  const costs = candidateCosts(impact, head.config, { prices, today: today() });
  if (options.format === 'json') io.out(JSON.stringify(latencyToJson(impact), null, 2));
  else if (options.format === 'markdown') io.out(latencyToMarkdown(impact, { costs }));
  else io.out(`${base ? `against ${base}` : 'the working tree'}\n${latencyToText(impact, { costs })}`);
  return EXIT.ok;
}
