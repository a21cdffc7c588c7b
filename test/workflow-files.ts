// The workflows as the tests read them, and their run steps started as GitHub's runner starts them:
// the shell from `defaults.run.shell` (or the step's `shell`), with the command line GitHub's
// workflow syntax reference gives for it, and with fake cloud tools first on PATH.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './run.js';

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
export interface Job {
  name?: string;
  needs?: string | string[];
  outputs?: Record<string, string>;
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  steps?: Step[];
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  strategy?: { 'fail-fast'?: boolean; 'max-parallel'?: number; matrix?: unknown };
  environment?: string;
  'timeout-minutes'?: number;
  if?: string;
  defaults?: { run?: { shell?: string } };
}
export interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}

export const DIR = path.join(ROOT, '.github/workflows');
/** Every workflow file there is, so that one added later is held to the same rules. */
export const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
  .sort();
export const text = (file: string): string => readFileSync(path.join(DIR, file), 'utf8');
export const workflows = new Map(files.map((f) => [f, parse(text(f)) as Workflow]));

export function wf(file: string): Workflow {
  const w = workflows.get(file);
  if (!w) throw new Error(`no workflow ${file}`);
  return w;
}

export function job(file: string, name: string): Job {
  const j = wf(file).jobs[name];
  if (!j) throw new Error(`no job ${name} in ${file}`);
  return j;
}

export const jobs = (): { file: string; name: string; job: Job }[] =>
  [...workflows].flatMap(([file, w]) => Object.entries(w.jobs).map(([name, j]) => ({ file, name, job: j })));

export function step(file: string, jobName: string, key: string): Step {
  const s = (job(file, jobName).steps ?? []).find((x) => x.id === key || x.name === key);
  if (!s) throw new Error(`no step ${key} in ${file} ${jobName}`);
  return s;
}

/** What a job may change: it holds cloud credentials, or writes to the repository. */
export function hasPower(j: Job): boolean {
  const perms = typeof j.permissions === 'object' ? j.permissions : {};
  return Object.values(perms).includes('write') || j.environment !== undefined;
}

/**
 * The command line the runner uses for a shell keyword on Linux, from GitHub's workflow syntax
 * reference (jobs.<job_id>.steps[*].shell): with no shell given, `bash -e {0}`; `bash` adds
 * `--noprofile --norc -eo pipefail`; `sh` is `sh -e {0}`.
 */
export function shellCommand(file: string, jobName: string, s: Step): string[] {
  const shell = s.shell ?? job(file, jobName).defaults?.run?.shell ?? wf(file).defaults?.run?.shell;
  switch (shell) {
    case undefined:
      return ['bash', '-e'];
    case 'bash':
      return ['bash', '--noprofile', '--norc', '-eo', 'pipefail'];
    case 'sh':
      return ['sh', '-e'];
    default:
      throw new Error(`${file} ${jobName}: shell ${shell} is not one the tests know how to start`);
  }
}

export interface StepRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Each call of a fake tool, as `name arg…`. */
  calls: string[];
  summary: string;
  output: string;
  /** What the step wrote to $GITHUB_ENV, for the steps after it. */
  githubEnv: string;
}

/**
 * Runs a step's script as the runner would, in `cwd`, with `fakes` (tool name → bash body, which
 * sees the tool's arguments as "$@") ahead of the real tools on PATH. Every fake call is recorded.
 */
export function runStep(
  file: string,
  jobName: string,
  key: string,
  options: { env?: Record<string, string>; fakes?: Record<string, string>; cwd?: string } = {},
): StepRun {
  const s = step(file, jobName, key);
  if (!s.run) throw new Error(`${file} ${jobName} ${key} is not a run step`);
  const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-step-'));
  const bin = path.join(dir, 'bin');
  const calls = path.join(dir, 'calls');
  const summary = path.join(dir, 'summary');
  const output = path.join(dir, 'output');
  const githubEnv = path.join(dir, 'env');
  for (const f of [calls, summary, output, githubEnv]) writeFileSync(f, '');
  spawnSync('mkdir', ['-p', bin]);
  for (const [name, body] of Object.entries(options.fakes ?? {})) {
    const tool = path.join(bin, name);
    writeFileSync(tool, `#!/usr/bin/env bash\necho "${name} $*" >> "$FAKE_CALLS"\n${body}\n`);
    chmodSync(tool, 0o755);
  }
  const script = path.join(dir, 'step.sh');
  writeFileSync(script, s.run);
  const [command, ...args] = shellCommand(file, jobName, s);
  const result = spawnSync(command ?? 'bash', [...args, script], {
    cwd: options.cwd ?? dir,
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env['PATH'] ?? ''}`,
      HOME: dir,
      FAKE_CALLS: calls,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      GITHUB_ENV: githubEnv,
      RUNNER_TEMP: dir,
      GITHUB_REPOSITORY: 'acme/cdn',
      ...options.env,
    },
  });
  const read = (f: string) => readFileSync(f, 'utf8');
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    calls: read(calls).split('\n').filter(Boolean),
    summary: read(summary),
    output: read(output),
    githubEnv: read(githubEnv),
  };
}
