// Runs the real terraform binary for one region: init with the region's own state, plan, show.
// A failure at any step becomes a failed summary, never an exception, so other regions go on.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import type { Operation } from '../core/changes.js';
import type { Config, Region } from '../core/config.js';
import { UsageError } from '../core/problems.js';
import {
  failedSummary,
  stateArgument,
  summarizePlan,
  terraformVariables,
  type Backend,
  type PlanJson,
  type PlanSummary,
} from '../core/terraform.js';

export interface PlanRequest {
  readonly stack: string;
  /** Each region's files go to `<out>/<region>/`. */
  readonly out: string;
  readonly config: Config;
  readonly region: Region;
  readonly operation: Operation;
  readonly reason: string;
  /** Further -backend-config KEY=VALUE pairs: the state bucket, its region, the lock table. */
  readonly backendConfig?: readonly string[];
  readonly critical?: readonly string[];
  readonly terraform?: string;
  /** Progress: a line as each Terraform step starts and ends, so a long plan says what it waits for. */
  readonly log?: (line: string) => void;
}

/** Runs one Terraform step, saying what it starts and how long it took. */
async function step<T>(log: ((line: string) => void) | undefined, what: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log?.(`${what}…`);
  const result = await run();
  log?.(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/**
 * The stack and the plans are named by absolute paths: where a command runs is its caller's to say
 * (kubecdn runs at the repository root while the process stays where it was typed), so nothing
 * here is read against the process's working directory.
 */
function absolute(file: string, what: string): string {
  if (!path.isAbsolute(file)) throw new Error(`${what} must be an absolute path, resolved where the command runs, not ${file}`);
  return file;
}

/** Where a region's files are written; the tf commands and the comment read the same places. */
export function regionOutDir(out: string, region: string): string {
  return path.join(out, region);
}

export async function stackBackend(stack: string): Promise<Backend> {
  absolute(stack, 'the stack');
  const files = (await readdir(stack).catch(() => undefined))?.filter((f) => f.endsWith('.tf'));
  if (!files) throw new UsageError(`no Terraform stack at ${stack}`);
  for (const file of files) {
    const match = /^\s*backend\s+"([a-z0-9_]+)"/m.exec(await readFile(path.join(stack, file), 'utf8'));
    if (!match) continue;
    if (match[1] === 's3' || match[1] === 'local') return match[1];
    throw new UsageError(
      `${path.join(stack, file)}: kubeCDN gives each region its own state with an s3 or local backend, not ${match[1] ?? ''}`,
    );
  }
  throw new UsageError(`${stack} declares no backend: each region needs its own state, so add backend "s3" {} to its terraform block`);
}

export async function planRegion(request: PlanRequest): Promise<PlanSummary> {
  absolute(request.stack, 'the stack');
  const dir = regionOutDir(absolute(request.out, 'the plans folder'), request.region.region);
  await mkdir(dir, { recursive: true });
  const context = {
    region: request.region.region,
    operation: request.operation,
    reason: request.reason,
    serving: request.operation === 'plan',
    ...(request.critical ? { critical: request.critical } : {}),
  };
  const summary = await runPlan(request, dir, context);
  await writeFile(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(path.join(dir, 'plan.txt'), summary.planText);
  return summary;
}

async function runPlan(request: PlanRequest, dir: string, context: Parameters<typeof failedSummary>[0]): Promise<PlanSummary> {
  let backend: Backend;
  try {
    backend = await stackBackend(request.stack);
  } catch (error) {
    return failedSummary(context, 'stack', (error as Error).message);
  }
  const varFile = path.join(dir, 'terraform.tfvars.json');
  const planFile = path.join(dir, 'plan.tfplan');
  await writeFile(varFile, `${JSON.stringify(terraformVariables(request.config, request.region), null, 2)}\n`);
  const tf = terraformIn(request.stack, dir);
  const bin = request.terraform ?? 'terraform';
  const backendArgs = [stateArgument(backend, request.config.cdn.owner_id, request.region.region), ...(request.backendConfig ?? [])].map(
    (c) => `-backend-config=${c}`,
  );

  const say = (what: string) => `${request.region.region}: terraform ${what}`;
  const init = await step(request.log, say('init'), () => tf`${bin} init -input=false -no-color -reconfigure ${backendArgs}`);
  if (init.exitCode !== 0) return failedSummary(context, 'init', terraformError(init.stderr, init.stdout));

  const destroy = request.operation === 'destroy' ? ['-destroy'] : [];
  const plan = await step(
    request.log,
    say(`plan${destroy.length ? ' -destroy' : ''} (waits up to 5 min for the state lock)`),
    () => tf`${bin} plan -input=false -no-color -lock-timeout=5m -detailed-exitcode ${destroy} -var-file=${varFile} -out=${planFile}`,
  );
  if (plan.exitCode !== 0 && plan.exitCode !== 2)
    return failedSummary(context, 'plan', terraformError(plan.stderr, plan.stdout), plan.stdout);

  const json = await tf`${bin} show -json ${planFile}`;
  const text = await tf`${bin} show -no-color ${planFile}`;
  if (json.exitCode !== 0 || text.exitCode !== 0) return failedSummary(context, 'show', terraformError(json.stderr || text.stderr, ''));
  return summarizePlan(JSON.parse(json.stdout) as PlanJson, text.stdout.trim(), context);
}

function terraformIn(stack: string, dir: string) {
  return $({
    cwd: stack,
    quiet: true,
    verbose: false,
    nothrow: true,
    // Each region gets its own working directory data, so regions can be planned side by side.
    env: { ...process.env, TF_DATA_DIR: path.join(dir, '.terraform'), TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
  });
}

export interface ApplyResult {
  readonly region: string;
  readonly ok: boolean;
  readonly output: string;
}

/** Applies the plan `planRegion` saved for the region: exactly what was reviewed, nothing newer. */
export async function applyRegion(options: {
  stack: string;
  out: string;
  region: string;
  terraform?: string;
  log?: (line: string) => void;
}): Promise<ApplyResult> {
  absolute(options.stack, 'the stack');
  const dir = regionOutDir(absolute(options.out, 'the plans folder'), options.region);
  const planFile = path.join(dir, 'plan.tfplan');
  const summary = await readFile(path.join(dir, 'summary.json'), 'utf8').then(
    (t) => JSON.parse(t) as PlanSummary,
    () => undefined,
  );
  if (!summary)
    throw new UsageError(`no plan for ${options.region} in ${options.out}: run kubecdn tf plan --region ${options.region} first`);
  if (summary.status === 'failed')
    return { region: options.region, ok: false, output: `the plan for ${options.region} failed; nothing applied` };
  const tf = terraformIn(options.stack, dir);
  const apply = await step(
    options.log,
    `${options.region}: terraform apply (waits up to 5 min for the state lock)`,
    () => tf`${options.terraform ?? 'terraform'} apply -input=false -no-color -lock-timeout=5m ${planFile}`,
  );
  // What the steps after the apply read of the stack: the edge's certificate.
  const outputs = apply.exitCode === 0 ? await tf`${options.terraform ?? 'terraform'} output -json` : undefined;
  if (outputs?.exitCode === 0) await writeFile(path.join(dir, 'outputs.json'), outputs.stdout);
  return {
    region: options.region,
    ok: apply.exitCode === 0,
    output: apply.exitCode === 0 ? apply.stdout.trim() : terraformError(apply.stderr, apply.stdout),
  };
}

export interface OutputRequest {
  readonly stack: string;
  readonly out: string;
  readonly config: Config;
  readonly region: Region;
  readonly backendConfig?: readonly string[];
  readonly terraform?: string;
  readonly log?: (line: string) => void;
}

/**
 * Reads the region's outputs from its state, with no plan or apply, into `<out>/<region>/outputs.json`
 * (what kubecdn tf apply writes after an apply): for the steps that need them in a run that applied
 * nothing to the region.
 */
export async function refreshOutputs(request: OutputRequest): Promise<{ ok: boolean; output: string }> {
  const dir = regionOutDir(absolute(request.out, 'the plans folder'), request.region.region);
  await mkdir(dir, { recursive: true });
  const backend = await stackBackend(request.stack);
  const tf = terraformIn(request.stack, dir);
  const bin = request.terraform ?? 'terraform';
  const backendArgs = [stateArgument(backend, request.config.cdn.owner_id, request.region.region), ...(request.backendConfig ?? [])].map(
    (c) => `-backend-config=${c}`,
  );
  const say = (what: string) => `${request.region.region}: terraform ${what}`;
  const init = await step(request.log, say('init'), () => tf`${bin} init -input=false -no-color -reconfigure ${backendArgs}`);
  if (init.exitCode !== 0) return { ok: false, output: terraformError(init.stderr, init.stdout) };
  const outputs = await tf`${bin} output -json`;
  if (outputs.exitCode !== 0) return { ok: false, output: terraformError(outputs.stderr, outputs.stdout) };
  await writeFile(path.join(dir, 'outputs.json'), outputs.stdout);
  return { ok: true, output: path.join(dir, 'outputs.json') };
}

/** The stack's outputs as the region's last apply left them in `<out>/<region>/outputs.json`. */
export async function stackOutputs(out: string, region: string): Promise<Record<string, unknown> | undefined> {
  const text = await readFile(path.join(regionOutDir(absolute(out, 'the plans folder'), region), 'outputs.json'), 'utf8').catch(
    () => undefined,
  );
  if (text === undefined) return undefined;
  const json = JSON.parse(text) as Record<string, { value?: unknown }>;
  return Object.fromEntries(Object.entries(json).map(([name, o]) => [name, o.value]));
}

/**
 * Terraform's own words: its Error diagnostics when it gave any (warnings, such as a missing CLI
 * configuration file, would only bury them), without the box drawing it frames them with.
 */
export function terraformError(stderr: string, stdout: string): string {
  const text = (stderr.trim() || stdout.trim()).replace(/^[╷│╵] ?/gm, '');
  const blocks = text.split(/\n\s*\n(?=(?:Error|Warning): )/);
  const errors = blocks.filter((b) => b.trimStart().startsWith('Error: '));
  return (errors.length ? errors.join('\n\n') : text).trim() || 'terraform failed without a message';
}

export async function readSummaries(dir: string): Promise<PlanSummary[]> {
  absolute(dir, 'the plan summaries folder');
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new UsageError(`no plan summaries at ${dir}`);
  });
  const summaries: PlanSummary[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = path.join(dir, entry.name, 'summary.json');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) summaries.push(JSON.parse(text) as PlanSummary);
  }
  return summaries;
}
