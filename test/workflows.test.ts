// The workflows, held to the rules that keep a GitOps pipeline with cloud credentials safe, and
// to the schemas GitHub's workflow and action files follow.
import { validateAction, validateWorkflow } from '@action-validator/core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './run.js';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  permissions?: Record<string, string> | string;
  steps?: Step[];
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  strategy?: { 'fail-fast'?: boolean; 'max-parallel'?: number; matrix?: unknown };
  environment?: string;
  'timeout-minutes'?: number;
  if?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
}

const DIR = path.join(ROOT, '.github/workflows');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yml'));
const text = (file: string) => readFileSync(path.join(DIR, file), 'utf8');
const workflows = new Map(files.map((f) => [f, parse(text(f)) as Workflow]));
const wf = (file: string): Workflow => {
  const w = workflows.get(file);
  if (!w) throw new Error(`no workflow ${file}`);
  return w;
};
const jobs = () => [...workflows].flatMap(([file, w]) => Object.entries(w.jobs).map(([name, job]) => ({ file, name, job })));
const actionDirs = readdirSync(path.join(ROOT, 'actions'));
const actionMeta = (name: string) =>
  parse(readFileSync(path.join(ROOT, 'actions', name, 'action.yml'), 'utf8')) as {
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
  };

describe('the workflows', () => {
  it('are plan, plan-fork, apply, teardown and ci', () => {
    expect(files.sort()).toEqual(['apply.yml', 'ci.yml', 'plan-fork.yml', 'plan.yml', 'teardown.yml']);
  });

  it.each(files)('%s is valid against the published workflow schema', (file) => {
    expect(validateWorkflow(text(file)).errors).toEqual([]);
  });

  it.each(actionDirs)('actions/%s/action.yml is valid against the published action schema', (name) => {
    const source = readFileSync(path.join(ROOT, 'actions', name, 'action.yml'), 'utf8');
    // The schema in @action-validator/core 0.6.0 predates node24, which GitHub's metadata syntax
    // reference lists for runs.using; that one value is checked here, the rest by the schema.
    expect(source).toMatch(/^ {2}using: node24$/m);
    expect(validateAction(source.replace(/^ {2}using: node24$/m, '  using: node20')).errors).toEqual([]);
  });

  it('set minimal permissions at the top, and each job says what it needs', () => {
    for (const [file, w] of workflows) {
      expect(w.permissions, file).toBeDefined();
      expect(['{}', '{"contents":"read"}']).toContain(JSON.stringify(w.permissions));
    }
    for (const { file, name, job } of jobs()) {
      expect(typeof job.permissions, `${file} ${name}`).toBe('object');
    }
  });

  it('grant each write permission only to a job with a step that uses it', () => {
    const uses = (job: Job, pattern: RegExp) => (job.steps ?? []).some((s) => pattern.test(s.uses ?? ''));
    const needs: Record<string, (job: Job) => boolean> = {
      'id-token': (job) => uses(job, /^aws-actions\/configure-aws-credentials@/),
      'pull-requests': (job) =>
        uses(job, /^peter-evans\/create-pull-request@/) ||
        (job.steps ?? []).some((s) => s.uses === './actions/plan-regions' && ['comment', 'post'].includes(String(s.with?.['step']))),
      contents: (job) => uses(job, /^peter-evans\/create-pull-request@/),
    };
    for (const { file, name, job } of jobs()) {
      const perms = typeof job.permissions === 'object' ? job.permissions : {};
      for (const [scope, level] of Object.entries(perms)) {
        if (level !== 'write') continue;
        const need = needs[scope];
        expect(need, `${file} ${name}: no job here needs ${scope}: write`).toBeDefined();
        expect(need?.(job), `${file} ${name}: ${scope}: write without a step that uses it`).toBe(true);
      }
      // And OIDC is never used without asking for the token explicitly.
      if (uses(job, /^aws-actions\/configure-aws-credentials@/)) expect(perms['id-token'], `${file} ${name}`).toBe('write');
    }
  });

  it('pin every action from elsewhere to a full commit SHA with its version beside it, the same SHA everywhere', () => {
    const pins = new Map<string, string>();
    for (const file of files) {
      for (const line of text(file).split('\n')) {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
        if (!m?.[1] || m[1].startsWith('./')) continue;
        const [action, ref] = m[1].split('@');
        expect(ref, `${file}: ${m[1]}`).toMatch(/^[0-9a-f]{40}$/);
        expect(m[2], `${file}: ${m[1]} says which version the SHA is`).toMatch(/^ # v\d+\.\d+\.\d+$/);
        const seen = pins.get(action ?? '');
        if (seen) expect(ref, `${file}: ${action ?? ''} pinned to two SHAs`).toBe(seen);
        pins.set(action ?? '', ref ?? '');
      }
    }
    expect(pins.size).toBeGreaterThan(5);
  });

  it('keep expressions out of run scripts: values reach the shell through env', () => {
    for (const { file, name, job } of jobs())
      for (const step of job.steps ?? [])
        if (step.run) expect(step.run, `${file} ${name} ${step.name ?? step.id ?? ''}`).not.toMatch(/\$\{\{/);
  });

  it('never check out with credentials left behind, and every job has a time limit', () => {
    for (const { file, name, job } of jobs()) {
      expect(job['timeout-minutes'], `${file} ${name}`).toBeGreaterThan(0);
      for (const step of job.steps ?? [])
        if (step.uses?.startsWith('actions/checkout@')) expect(step.with?.['persist-credentials'], `${file} ${name}`).toBe(false);
    }
  });

  it("never run a fork's code with write access: no pull_request_target, and workflow_run checks out the default branch", () => {
    for (const [file, w] of workflows) {
      expect(Object.keys(w.on), file).not.toContain('pull_request_target');
      if (!('workflow_run' in w.on)) continue;
      for (const { job } of jobs().filter((j) => j.file === file))
        for (const step of job.steps ?? [])
          if (step.uses?.startsWith('actions/checkout@')) {
            expect(step.with?.['ref'], file).toBeUndefined();
            expect(step.with?.['repository'], file).toBeUndefined();
          }
    }
  });

  it('queue applies and teardowns rather than cancel them, one at a time per region', () => {
    for (const file of ['apply.yml', 'teardown.yml']) {
      expect(wf(file).concurrency?.['cancel-in-progress'], file).toBe(false);
    }
    expect(wf('teardown.yml').concurrency?.group).toBe('kubecdn-region-${{ inputs.region }}');
    const apply = wf('apply.yml').jobs;
    for (const name of ['region', 'destroy']) {
      expect(apply[name]?.concurrency, name).toEqual({ group: 'kubecdn-region-${{ matrix.region }}', 'cancel-in-progress': false });
    }
    expect(apply['dns']?.concurrency?.group).toBe('kubecdn-dns');
  });

  it('plan and apply every region in its own job, where one failure does not stop the others', () => {
    for (const [file, name] of [
      ['plan.yml', 'plan'],
      ['apply.yml', 'region'],
      ['apply.yml', 'destroy'],
    ] as const) {
      expect(wf(file).jobs[name]?.strategy?.['fail-fast'], `${file} ${name}`).toBe(false);
    }
    expect(wf('plan.yml').jobs['plan']?.strategy?.['max-parallel']).toBeGreaterThan(0);
  });

  it('destroy only behind the protected environment, and only after DNS is drained', () => {
    const apply = wf('apply.yml').jobs;
    expect(apply['destroy']?.environment).toBe('production-destroy');
    expect(apply['destroy']?.if).toContain("needs.dns.result == 'success'");
    expect(wf('teardown.yml').jobs['teardown']?.environment).toBe('production-destroy');
    for (const { file, name, job } of jobs()) {
      const roles = (job.steps ?? []).map((s) => s.with?.['role-to-assume']).filter((r): r is string => typeof r === 'string');
      if (roles.some((r) => r.includes('AWS_APPLY_ROLE_ARN')))
        expect(['production', 'production-destroy'], `${file} ${name}`).toContain(job.environment);
      if (file === 'plan.yml')
        expect(
          roles.every((r) => r.includes('AWS_PLAN_ROLE_ARN')),
          name,
        ).toBe(true);
    }
  });

  it('give our own actions only inputs they declare, and read only outputs they declare', () => {
    for (const { file, name, job } of jobs()) {
      const local = new Map<string, string>();
      for (const step of job.steps ?? []) {
        if (!step.uses?.startsWith('./actions/')) continue;
        const action = step.uses.slice('./actions/'.length);
        const meta = actionMeta(action);
        for (const key of Object.keys(step.with ?? {}))
          expect(Object.keys(meta.inputs), `${file} ${name}: ${action} input ${key}`).toContain(key);
        if (step.id) local.set(step.id, action);
      }
      const source = JSON.stringify(job);
      for (const m of source.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const action = local.get(m[1] ?? '');
        if (action) expect(Object.keys(actionMeta(action).outputs), `${file} ${name}: ${m[0]}`).toContain(m[2]);
      }
    }
  });

  it('have run scripts shellcheck finds nothing in', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-shellcheck-'));
    const scripts: string[] = [];
    for (const { file, name, job } of jobs())
      (job.steps ?? []).forEach((step, i) => {
        if (!step.run) return;
        const script = path.join(dir, `${file}-${name}-${String(i)}.sh`);
        // As the runner starts them: bash -e with pipefail.
        writeFileSync(script, `#!/usr/bin/env bash\nset -eo pipefail\n${step.run}`);
        scripts.push(script);
      });
    const checked = spawnSync('shellcheck', ['--shell=bash', ...scripts], { encoding: 'utf8' });
    expect(checked.error).toBeUndefined();
    expect(checked.stdout).toBe('');
    expect(checked.status).toBe(0);
  });
});
