// plan-regions: the pull-request door onto the core. Reads inputs once, calls the core, reports.
//   step: matrix   validate the region files (annotations on the diff) and output the matrix
//   step: plan     plan one region of the matrix with Terraform and save its summary
//   step: comment  render every region's summary as the one pull-request comment, and upsert it
import * as core from '@actions/core';
import * as github from '@actions/github';
import path from 'node:path';
import { hasDestroy, type Matrix } from '../../src/core/changes.js';
import { renderComment, SUMMARY_LIMIT, utf8Bytes } from '../../src/core/comment.js';
import { servingRegions } from '../../src/core/config.js';
import { LATENCY_TITLE, renderValidationMarkdown } from '../../src/core/preview.js';
import { errorMessage, RegionConfigError, UsageError } from '../../src/core/problems.js';
import { countProblems, problemsToAnnotations } from '../../src/core/render.js';
import { loadChange } from '../../src/node/change.js';
import { octokit, upsertComment } from '../../src/node/github.js';
import { loadRegionDir } from '../../src/node/region-dir.js';
import { planRegion, readSummaries } from '../../src/node/terraform.js';

export type Step = 'matrix' | 'plan' | 'comment';

export interface Inputs {
  readonly step: Step;
  readonly directory: string;
  readonly baseRef: string;
  readonly region: string;
  readonly stack: string;
  readonly out: string;
  readonly backendConfig: string[];
  readonly reason: string;
  readonly summaries: string;
  readonly matrix: string;
  readonly githubToken: string;
  readonly notes: string[];
  readonly latency: string;
}

export function getInputs(): Inputs {
  const step = core.getInput('step') || 'matrix';
  if (step !== 'matrix' && step !== 'plan' && step !== 'comment') throw new UsageError(`step must be matrix, plan or comment, not ${step}`);
  const pullRequest = github.context.payload.pull_request as { base?: { sha?: string } } | undefined;
  return {
    step,
    directory: core.getInput('directory') || 'regions',
    baseRef: core.getInput('base-ref') || pullRequest?.base?.sha || '',
    region: core.getInput('region'),
    stack: core.getInput('stack') || 'terraform',
    out: core.getInput('out') || '.kubecdn/plans',
    backendConfig: core.getMultilineInput('backend-config'),
    reason: core.getInput('reason'),
    summaries: core.getInput('summaries') || '.kubecdn/plans',
    matrix: core.getInput('matrix'),
    githubToken: core.getInput('github-token'),
    notes: core.getMultilineInput('note'),
    latency: core.getInput('latency'),
  };
}

export async function run(): Promise<void> {
  try {
    const inputs = getInputs();
    // Paths are relative to the workspace, which is where the runner starts actions.
    const root = process.env['GITHUB_WORKSPACE'] ?? process.cwd();
    if (inputs.step === 'matrix') await matrixStep(inputs, root);
    else if (inputs.step === 'plan') await planStep(inputs, root);
    else await commentStep(inputs, root);
  } catch (error) {
    if (error instanceof RegionConfigError) for (const a of problemsToAnnotations(error.problems)) core[a.level](a.message, a.properties);
    core.setFailed(`plan-regions failed: ${errorMessage(error)}`);
  }
}

async function matrixStep(inputs: Inputs, root: string): Promise<void> {
  if (!inputs.baseRef) throw new UsageError('no base to compare with: run on a pull_request event or set base-ref');
  const change = await loadChange(root, { base: inputs.baseRef, dir: inputs.directory });
  for (const a of problemsToAnnotations(change.head.problems)) core[a.level](a.message, a.properties);
  const matrix: Matrix = change.matrix ?? { include: [] };
  core.setOutput('valid', String(change.head.config !== undefined));
  core.setOutput('serving-regions', JSON.stringify(change.head.config ? servingRegions(change.head.config).map((r) => r.region) : []));
  core.setOutput('matrix', JSON.stringify(matrix));
  core.setOutput('has-changes', String(matrix.include.length > 0));
  core.setOutput('has-destroy', String(hasDestroy(matrix)));
  await core.summary.addRaw(renderValidationMarkdown(change.head), true).write();
  if (!change.head.config) {
    const { errors } = countProblems(change.head.problems);
    core.setFailed(`plan-regions failed: ${errors} error${errors === 1 ? '' : 's'} in the region files`);
  }
}

async function planStep(inputs: Inputs, root: string): Promise<void> {
  if (!inputs.region) throw new UsageError('step plan needs the region input');
  const loaded = await loadRegionDir(path.resolve(root, inputs.directory), root);
  if (!loaded.config) throw new RegionConfigError(loaded.problems);
  let config = loaded.config;
  let region = config.regions.find((r) => r.region === inputs.region);
  if (!region && inputs.baseRef) {
    // A region removed from the files: its settings, for the destroy plan, are at the base.
    config = (await loadChange(root, { base: inputs.baseRef, dir: inputs.directory })).base ?? config;
    region = config.regions.find((r) => r.region === inputs.region);
  }
  if (!region) throw new UsageError(`region ${inputs.region} is neither in the region files nor at the base`);
  const summary = await planRegion({
    stack: path.resolve(root, inputs.stack),
    out: path.resolve(root, inputs.out),
    config,
    region,
    operation: region.serving ? 'plan' : 'destroy',
    reason: inputs.reason,
    backendConfig: inputs.backendConfig,
  });
  core.setOutput('status', summary.status);
  await core.summary
    .addRaw(renderComment({ summaries: [summary] }, { marker: false, limit: SUMMARY_LIMIT, measure: utf8Bytes }), true)
    .write();
  if (summary.status === 'failed')
    core.setFailed(`plan-regions failed: terraform ${summary.error?.step ?? ''} failed for ${summary.region}`);
}

async function commentStep(inputs: Inputs, root: string): Promise<void> {
  const summaries = await readSummaries(path.resolve(root, inputs.summaries)).catch(() => []);
  const validation = await loadRegionDir(path.resolve(root, inputs.directory), root);
  const matrix = inputs.matrix ? (JSON.parse(inputs.matrix) as Matrix) : undefined;
  const { runId, serverUrl, repo } = github.context;
  const commit = (github.context.payload.pull_request as { head?: { sha?: string } } | undefined)?.head?.sha ?? github.context.sha;
  const input = {
    summaries,
    problems: validation.problems,
    ...(matrix ? { matrix } : {}),
    ...(commit ? { commit } : {}),
    fullPlans: `the job summaries and the plan artifacts of [run ${runId}](${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${runId})`,
    notes: inputs.notes,
    sections: inputs.latency ? [{ title: LATENCY_TITLE, body: inputs.latency }] : [],
  };
  await core.summary.addRaw(renderComment(input, { marker: false, limit: SUMMARY_LIMIT, measure: utf8Bytes }), true).write();
  const number = github.context.payload.pull_request?.number;
  if (!number) {
    core.info('not a pull request: the report is in the job summary only');
    return;
  }
  if (!inputs.githubToken) throw new UsageError('step comment needs github-token to post the comment');
  const result = await upsertComment(
    octokit(inputs.githubToken, github.context.apiUrl),
    { ...repo, issueNumber: number },
    renderComment(input),
  );
  core.setOutput('comment-url', result.url);
  core.info(`plan comment ${result.action}: ${result.url}`);
}
