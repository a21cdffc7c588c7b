// plan-regions: the pull-request door onto the core. Reads inputs once, calls the core, reports.
//   step: matrix   validate the region files (annotations on the diff) and output the matrix
//   step: plan     plan one region of the matrix with Terraform and save its summary
//   step: comment  render every region's summary as the one pull-request comment, and upsert it
//                  (from a fork, whose token cannot write, save it for step post instead)
//   step: post     in a workflow_run after a fork's plan: check the saved comment belongs to the
//                  pull request whose run it came from, and upsert it
import * as core from '@actions/core';
import * as github from '@actions/github';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hasDestroy, planTarget, type Matrix } from '../../src/core/changes.js';
import { neutralizeMentions, renderComment, SUMMARY_LIMIT, utf8Bytes } from '../../src/core/comment.js';
import { servingRegions } from '../../src/core/config.js';
import { COST_TITLE, LATENCY_TITLE, renderValidationMarkdown } from '../../src/core/preview.js';
import { errorMessage, RegionConfigError, UsageError } from '../../src/core/problems.js';
import { countProblems, problemsToAnnotations } from '../../src/core/render.js';
import { loadChange } from '../../src/node/change.js';
import { ACTIONS_BOT, findComment, octokit, pullRequestOfRun, upsertComment } from '../../src/node/github.js';
import { loadRegionDir } from '../../src/node/region-dir.js';
import { planRegion, readSummaries } from '../../src/node/terraform.js';

export type Step = 'matrix' | 'plan' | 'comment' | 'post';

const STEPS: readonly Step[] = ['matrix', 'plan', 'comment', 'post'];

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
  readonly commentAuthor: string;
  readonly notes: string[];
  readonly latency: string;
  readonly cost: string;
  readonly dns: string;
  readonly cdnWide: string;
  readonly commentDir: string;
}

export function getInputs(): Inputs {
  const step = (core.getInput('step') || 'matrix') as Step;
  if (!STEPS.includes(step)) throw new UsageError(`step must be ${STEPS.join(', ')}, not ${step}`);
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
    commentAuthor: core.getInput('comment-author') || ACTIONS_BOT,
    notes: core.getMultilineInput('note'),
    latency: core.getInput('latency'),
    cost: core.getInput('cost'),
    dns: core.getInput('dns'),
    cdnWide: core.getInput('cdn-wide'),
    commentDir: core.getInput('comment-dir') || '.kubecdn/comment',
  };
}

export async function run(): Promise<void> {
  try {
    const inputs = getInputs();
    // Paths are relative to the workspace, which is where the runner starts actions.
    const root = process.env['GITHUB_WORKSPACE'] ?? process.cwd();
    if (inputs.step === 'matrix') await matrixStep(inputs, root);
    else if (inputs.step === 'plan') await planStep(inputs, root);
    else if (inputs.step === 'comment') await commentStep(inputs, root);
    else await postStep(inputs, root);
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
  // A matrix holds only its regions: a change to owner_id or the zone alone would plan nothing and
  // reach the comment with nothing to say, so its warning goes out on its own, and on the diff line
  // of the setting that changed.
  if (change.cdnWide) {
    core.setOutput('cdn-wide', change.cdnWide);
    const at = change.cdnWideAt;
    core.warning(change.cdnWide, {
      title: 'kubecdn CDN-wide change',
      ...(at ? { file: at.file, startLine: at.line, startColumn: at.column } : {}),
    });
  }
  // With nothing to plan, the comment job runs only to update a plan comment already there (so
  // that it no longer shows an older plan): say whether there is one.
  const number = github.context.payload.pull_request?.number;
  if (change.head.config && matrix.include.length === 0 && number && inputs.githubToken) {
    const found = await findComment(
      octokit(inputs.githubToken, github.context.apiUrl),
      { ...github.context.repo, issueNumber: number },
      inputs.commentAuthor,
    );
    core.setOutput('commented', String(found !== undefined));
  }
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
  // A region removed from the files: its settings, for the destroy plan, are at the base.
  const target =
    planTarget(inputs.region, loaded.config) ??
    (inputs.baseRef
      ? planTarget(inputs.region, loaded.config, (await loadChange(root, { base: inputs.baseRef, dir: inputs.directory })).base)
      : undefined);
  if (!target) throw new UsageError(`region ${inputs.region} is neither in the region files nor at the base`);
  const summary = await core.group(`Terraform plan of ${inputs.region}`, () =>
    planRegion({
      stack: path.resolve(root, inputs.stack),
      out: path.resolve(root, inputs.out),
      ...target,
      reason: inputs.reason,
      backendConfig: inputs.backendConfig,
      log: (line) => core.info(line),
    }),
  );
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
  const pr = github.context.payload.pull_request as PullRequestPayload | undefined;
  const commit = pr?.head?.sha ?? github.context.sha;
  const fork = pr !== undefined && isFork(pr);
  const input = {
    summaries,
    problems: validation.problems,
    ...(inputs.cdnWide ? { cdnWide: inputs.cdnWide } : {}),
    ...(matrix ? { matrix } : {}),
    ...(commit ? { commit } : {}),
    fullPlans: `the job summaries and the plan artifacts of [run ${runId}](${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${runId})`,
    notes: [...(fork ? [FORK_NOTE] : []), ...inputs.notes],
    sections: [
      ...(inputs.cost ? [{ title: COST_TITLE, body: inputs.cost }] : []),
      ...(inputs.latency ? [{ title: LATENCY_TITLE, body: inputs.latency }] : []),
      ...(inputs.dns ? [{ title: DNS_TITLE, body: inputs.dns }] : []),
    ],
  };
  await core.summary.addRaw(renderComment(input, { marker: false, limit: SUMMARY_LIMIT, measure: utf8Bytes }), true).write();
  const number = github.context.payload.pull_request?.number;
  if (!number) {
    core.info('not a pull request: the report is in the job summary only');
    return;
  }
  if (fork) {
    // GitHub gives a fork's run a token that cannot comment. The comment is saved, as data, for
    // the workflow_run that step post runs in, which can.
    const dir = path.resolve(root, inputs.commentDir);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'body.md'), renderComment(input));
    await writeFile(path.join(dir, 'pull-request.json'), `${JSON.stringify({ number, head_sha: commit })}\n`);
    core.setOutput('comment-dir', dir);
    core.info(`a pull request from a fork: the comment is saved in ${inputs.commentDir} for the plan-fork workflow to post`);
    return;
  }
  if (!inputs.githubToken) throw new UsageError('step comment needs github-token to post the comment');
  const result = await upsertComment(
    octokit(inputs.githubToken, github.context.apiUrl),
    { ...repo, issueNumber: number },
    renderComment(input),
    inputs.commentAuthor,
  );
  core.setOutput('comment-url', result.url);
  core.info(`plan comment ${result.action}: ${result.url}`);
}

export const DNS_TITLE = 'DNS after merge';

export const FORK_NOTE =
  'This pull request comes from a fork, so GitHub gives its runs no cloud credentials: the region files were ' +
  'validated and the regions it touches are listed, but nothing was planned. A maintainer can plan it by pushing ' +
  'the branch to this repository.';

interface PullRequestPayload {
  readonly number?: number;
  readonly head?: { readonly sha?: string; readonly repo?: { readonly full_name?: string } | null };
  readonly base?: { readonly repo?: { readonly full_name?: string } };
}

function isFork(pr: PullRequestPayload): boolean {
  return pr.head?.repo?.full_name !== pr.base?.repo?.full_name;
}

/**
 * Posts the comment a fork's run saved. The saved files are the fork's data, so nothing in them is
 * trusted: the pull request must be one whose head is the very commit and repository the finished
 * run was for (from the workflow_run event, which GitHub writes), the body must be a kubeCDN
 * comment within GitHub's limit, and @-mentions in it are defused.
 */
async function postStep(inputs: Inputs, root: string): Promise<void> {
  const run = github.context.payload.workflow_run as { head_sha?: string; head_repository?: { full_name?: string } } | undefined;
  if (!run?.head_sha || !run.head_repository?.full_name) throw new UsageError('step post runs on a workflow_run event');
  if (!inputs.githubToken) throw new UsageError('step post needs github-token to post the comment');
  const dir = path.resolve(root, inputs.commentDir);
  const saved = JSON.parse(await readFile(path.join(dir, 'pull-request.json'), 'utf8')) as { number?: unknown };
  if (typeof saved.number !== 'number' || !Number.isInteger(saved.number)) throw new UsageError('the saved comment names no pull request');
  const client = octokit(inputs.githubToken, github.context.apiUrl);
  const { repo } = github.context;
  const number = await pullRequestOfRun(client, { ...repo, issueNumber: saved.number }, run.head_sha, run.head_repository.full_name);
  const body = neutralizeMentions(await readFile(path.join(dir, 'body.md'), 'utf8'));
  const result = await upsertComment(client, { ...repo, issueNumber: number }, body, inputs.commentAuthor);
  core.setOutput('comment-url', result.url);
  core.info(`plan comment ${result.action} on #${String(number)}: ${result.url}`);
}
