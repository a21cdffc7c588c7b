// What plan.yml, apply.yml, teardown.yml and purge.yml do, step by step. Run steps are started as GitHub's
// runner starts them (bash with the flags GitHub's workflow syntax reference gives for the
// workflow's shell), in a real git repository where they read one, with fakes of gh, aws, npx and
// kubectl first on PATH that answer as those tools do: the AWS CLI exits 254 on a service error
// and prints "An error occurred (<code>) when calling the <operation> operation: …".
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { PRUNABLE_RESOURCES } from '../src/core/edge/prune.js';
import { regionDir } from './fixtures.js';
import { Repo } from './git-repo.js';
import { CLI, kubecdn, ROOT } from './run.js';
import { job, jobs, runStep, step, wf, workflows, type Step } from './workflow-files.js';

const VARS = '{"owner_id":"kubecdn-example","region":"eu-west-1","hostnames":["cdn.example.com"]}';
/** npx: `kubecdn tf vars` prints VARS (or fails when FAKE_VARS=fail); anything else succeeds. */
const NPX = `if [ "$2 $3" = "tf vars" ]; then [ "$FAKE_VARS" = fail ] && { echo "kubecdn: cannot read the region files" >&2; exit 1; }; echo '${VARS}'; fi`;
/** aws: `eks describe-cluster` answers as FAKE_EKS says: ACTIVE, not found, or access denied. */
const AWS = `if [ "$1 $2" = "eks describe-cluster" ]; then
  case "$FAKE_EKS" in
    missing) echo "An error occurred (ResourceNotFoundException) when calling the DescribeCluster operation: No cluster found for name: kubecdn-example-eu-west-1." >&2; exit 254 ;;
    denied) echo "An error occurred (AccessDeniedException) when calling the DescribeCluster operation: User is not authorized" >&2; exit 254 ;;
    *) echo ACTIVE ;;
  esac
fi`;
const TOOLS = { npx: NPX, aws: AWS, kubectl: '' };

/** A workflow's KUBECDN_READS: the path patterns .github/scripts/main-unchanged.sh compares. */
const reads = (file: string): string[] => (wf(file).env?.['KUBECDN_READS'] ?? '').split('\n').filter(Boolean);

/**
 * GitHub's copy of the repository, a real git repository the job fetches main from, and a job's
 * checkout of its first commit, as actions/checkout leaves it: a clone whose `origin` is GitHub's,
 * of the whole history (fetch-depth: 0) or of that commit only (the default, fetch-depth: 1).
 */
class GitHub {
  readonly repo = new Repo();
  readonly first: string;
  constructor() {
    this.repo.write('.github/scripts/main-unchanged.sh', readFileSync(path.join(ROOT, '.github/scripts/main-unchanged.sh'), 'utf8'));
    this.repo.write('regions/scalable.yaml', 'regions:\n  - region: eu-west-1\n').write('README.md', '# cdn\n').commit('first');
    this.first = this.head();
  }
  head(): string {
    return this.repo.git('rev-parse', 'HEAD').trim();
  }
  commit(file: string, text: string): this {
    this.repo.write(file, text).commit(`change ${file}`);
    return this;
  }
  checkout(depth: 'full' | 'shallow'): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-checkout-'));
    execFileSync('git', ['clone', '-q', ...(depth === 'shallow' ? ['--depth=1'] : []), `file://${this.repo.root}`, dir]);
    return dir;
  }
  /** The check step of the region job, started in the checkout as the runner starts it. */
  guard(file: string, checkout: string) {
    return runStep(file, file === 'apply.yml' ? 'region' : 'teardown', 'nothing newer on main', {
      cwd: checkout,
      env: { GITHUB_SHA: this.first, KUBECDN_READS: reads(file).join('\n') },
      fakes: { gh: 'exit 1' },
    });
  }
}

describe('plan.yml', () => {
  it('runs on every pull request, as ci.yml does: a workflow a paths filter skips never reports its required check', () => {
    for (const file of ['plan.yml', 'ci.yml']) {
      const trigger = wf(file).on['pull_request'] as Record<string, unknown> | null;
      for (const filter of ['paths', 'paths-ignore', 'branches', 'branches-ignore'])
        expect(trigger?.[filter], `${file} ${filter}`).toBeUndefined();
    }
  });

  it('reports the checks branch protection requires, `plan` and `ci`, from jobs that always run', () => {
    expect(job('ci.yml', 'test').name).toBe('ci');
    const result = job('plan.yml', 'result');
    expect(result.name).toBe('plan');
    expect(result.needs).toEqual(['matrix', 'plan']);
    expect(result.if).toMatch(/^always\(\)/);
    expect(result.permissions).toEqual({});
  });

  it('passes the plan check with no work, and fails it when a plan failed or was cancelled', () => {
    const check = (needs: object) => runStep('plan.yml', 'result', 'result', { env: { NEEDS: JSON.stringify(needs) } });
    expect(check({ matrix: { result: 'success' }, plan: { result: 'skipped' } }).status).toBe(0);
    expect(check({ matrix: { result: 'success' }, plan: { result: 'success' } }).status).toBe(0);
    const failed = check({ matrix: { result: 'success' }, plan: { result: 'failure' } });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('::error::the plan did not pass: plan: failure');
    expect(check({ matrix: { result: 'cancelled' }, plan: { result: 'skipped' } }).status).toBe(1);
  });

  it("fails the plan check of a fork's pull request that changes regions, whose plan jobs were skipped, saying how to get it planned", () => {
    const check = (hasChanges: string, head: string) =>
      runStep('plan.yml', 'result', 'result', {
        env: {
          NEEDS: JSON.stringify({ matrix: { result: 'success', outputs: { 'has-changes': hasChanges } }, plan: { result: 'skipped' } }),
          HEAD_REPOSITORY: head,
        },
      });
    const fork = check('true', 'someone/cdn');
    expect(fork.status).toBe(1);
    expect(fork.stdout).toContain('::error::this pull request comes from a fork (someone/cdn) and changes regions');
    expect(fork.stdout).toContain('Push its branch to acme/cdn and open the pull request from there, so that it is planned.');
    expect(check('true', '').status).toBe(1); // a deleted fork
    expect(check('false', 'someone/cdn').status).toBe(0); // nothing to plan: a fork's docs pass
    expect(check('true', 'acme/cdn').status).toBe(0);
    expect(step('plan.yml', 'result', 'result').env?.['HEAD_REPOSITORY']).toBe('${{ github.event.pull_request.head.repo.full_name }}');
  });

  it('comments only when there is something to say: a plan, a problem, a CDN-wide change, or a plan comment to bring up to date', () => {
    expect(job('plan.yml', 'comment').if).toBe(
      "${{ !cancelled() && needs.matrix.result != 'skipped' && (needs.matrix.outputs.has-changes == 'true' || needs.matrix.outputs.valid != 'true' || needs.matrix.outputs.commented == 'true' || needs.matrix.outputs.cdn-wide != '') }}",
    );
    expect(step('plan.yml', 'matrix', 'matrix').with?.['github-token']).toBe('${{ github.token }}');
    // A change to owner_id or the zone may plan nothing: its warning reaches the comment on its own.
    expect(step('plan.yml', 'comment', 'comment').with?.['cdn-wide']).toBe('${{ needs.matrix.outputs.cdn-wide }}');
    for (const key of ['has-changes', 'valid', 'commented', 'cdn-wide'])
      expect(job('plan.yml', 'matrix').outputs?.[key]).toBe(`\${{ steps.matrix.outputs.${key} }}`);
    // With nothing to plan, no credentials are asked for and no DNS dry run is made.
    for (const s of job('plan.yml', 'comment').steps ?? [])
      if (s.uses?.startsWith('aws-actions/') || s.id === 'dns') expect(s.if).toContain("needs.matrix.outputs.has-changes == 'true'");
  });

  it("plan-fork posts nothing when the fork's run saved no comment, rather than fail looking for it", () => {
    const saved = (count: string) =>
      runStep('plan-fork.yml', 'post', 'saved', { env: { RUN_ID: '42', COUNT: count }, fakes: { gh: 'echo "$COUNT"' } });
    const none = saved('0');
    expect(none.status).toBe(0);
    expect(none.output).toBe('found=false\n');
    expect(none.calls).toEqual(['gh api repos/acme/cdn/actions/runs/42/artifacts?name=plan-comment --jq .total_count']);
    expect(saved('1').output).toBe('found=true\n');
    expect(runStep('plan-fork.yml', 'post', 'saved', { env: { RUN_ID: '42' }, fakes: { gh: 'exit 1' } }).status).not.toBe(0);
    for (const s of (job('plan-fork.yml', 'post').steps ?? []).slice(2)) expect(s.if).toBe("steps.saved.outputs.found == 'true'");
  });

  it("plans with the demand workspace apply.yml applies with, so that no plan shows the metrics agent's role destroyed", () => {
    const WORKSPACE = '${{ vars.KUBECDN_METRICS_WORKSPACE_ARN }}';
    /** The variable as a job's steps see it: the job's env over the workflow's. */
    const seen = (file: string, name: string) => ({ ...wf(file).env, ...job(file, name).env })['TF_VAR_metrics_workspace_arn'];
    expect(seen('apply.yml', 'region')).toBe(WORKSPACE);
    expect(seen('plan.yml', 'plan')).toBe(WORKSPACE);
    // And any other job that plans a region's stack. (teardown.yml's `kubecdn teardown` only plans
    // a destroy, which removes whatever the state holds whatever the variable says.)
    const plans = (s: Step) =>
      (s.uses === './actions/plan-regions' && s.with?.['step'] === 'plan') || /kubecdn tf plan\b/.test(s.run ?? '');
    const planning = jobs().filter(({ job: j }) => (j.steps ?? []).some(plans));
    expect(planning.map(({ file, name }) => `${file} ${name}`).sort()).toEqual(['apply.yml destroy', 'apply.yml region', 'plan.yml plan']);
    for (const { file, name } of planning) expect(seen(file, name), `${file} ${name}`).toBe(WORKSPACE);
  });

  it('plans every region in its own job, where one failure does not stop the others', () => {
    expect(job('plan.yml', 'plan').strategy?.['fail-fast']).toBe(false);
    expect(job('plan.yml', 'plan').strategy?.['max-parallel']).toBeGreaterThan(0);
  });
});

describe('ci.yml', () => {
  // terraform as the runner's would answer: `providers mirror` refuses a stack whose modules are
  // not installed ("Module not installed", as terraform 1.11 says of this stack), and otherwise
  // writes each provider under DIR/<host>/<namespace>/<type>/<version>.
  const TERRAFORM = `dir=.; [[ $1 == -chdir=* ]] && { dir=\${1#-chdir=}; shift; }
case "$1 $2" in
  "init -backend=false") mkdir -p "$dir/.terraform/modules" ;;
  "providers mirror")
    [ -d "$dir/.terraform/modules" ] || { echo 'Error: Module not installed' >&2; exit 1; }
    mkdir -p "$3/registry.terraform.io/hashicorp/aws/5.100.0" ;;
esac`;

  it('fills a mirror of the providers after setting up terraform and before the tests, and tells them where it is', () => {
    const steps = job('ci.yml', 'test').steps ?? [];
    const at = (match: (s: (typeof steps)[number]) => boolean) => steps.findIndex(match);
    const mirror = at((s) => s.name === 'provider mirror');
    expect(mirror).toBeGreaterThan(at((s) => s.uses?.startsWith('hashicorp/setup-terraform@') ?? false));
    expect(mirror).toBeLessThan(at((s) => s.run === 'bash .ci/run'));

    const workspace = mkdtempSync(path.join(tmpdir(), 'kubecdn-ci-'));
    execFileSync('cp', ['-r', path.join(ROOT, 'terraform'), workspace]);
    const ran = runStep('ci.yml', 'test', 'provider mirror', { cwd: workspace, fakes: { terraform: TERRAFORM } });
    expect(ran.status, ran.stderr).toBe(0);
    const dir = /^KUBECDN_TF_PLUGIN_DIR=(.+)$/m.exec(ran.githubEnv)?.[1] ?? '';
    expect(dir).toMatch(/\/tf-plugins$/);
    // The checkout is left as it was: no .terraform in it for the tests to copy around.
    expect(execFileSync('ls', ['-A', path.join(workspace, 'terraform')], { encoding: 'utf8' })).not.toContain('.terraform');
    // And the tests' tool check takes that mirror.
    const tools = spawnSync('bash', [path.join(ROOT, 'scripts/ensure-tools.sh')], {
      encoding: 'utf8',
      env: { ...process.env, KUBECDN_TF_PLUGIN_DIR: dir },
    });
    expect(tools.stderr).toBe('');
    expect(tools.status).toBe(0);
  });
});

describe('apply.yml', () => {
  it('runs on a push of anything the CLI that renders the edge is built from, and of what it reads', async () => {
    // The CLI bundled as build.mjs bundles it; its metafile lists every source file it is made of.
    const built = await esbuild.build({
      entryPoints: ['src/cli/index.ts'],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      outfile: 'out.js',
      logLevel: 'silent',
    });
    const sources = Object.keys(built.metafile.inputs).flatMap((input) =>
      /(^|\/)node_modules\//.test(input) ? ['package.json', 'package-lock.json'] : [input],
    );
    expect(sources).toContain('src/core/edge/nginx.ts');
    // What the bundler cannot see: its own configuration, and the files the CLI and the actions read.
    const read = execFileSync('git', ['ls-files', 'regions', 'terraform', 'manifests', 'actions'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    const needed = [...new Set([...sources, ...read, 'build.mjs', 'tsconfig.json', '.github/workflows/apply.yml'])];
    const push = wf('apply.yml').on['push'] as { paths?: string[]; 'paths-ignore'?: string[] };
    expect(push['paths-ignore']).toBeUndefined();
    const uncovered = needed.filter((file) => !(push.paths ?? []).some((p) => minimatch(file, p, { dot: true })));
    expect(uncovered).toEqual([]);
  });

  describe('the base it compares with', () => {
    const repo = new Repo();
    for (const n of [1, 2, 3]) repo.write('regions/note.txt', String(n)).commit(`commit ${n}`);
    const [third = '', second = ''] = repo.git('rev-list', 'HEAD').trim().split('\n');
    const nothing = repo.git('hash-object', '-t', 'tree', '/dev/null').trim();
    const base = (event: string, lastSuccess: string) => {
      const ran = runStep('apply.yml', 'changes', 'base', {
        cwd: repo.root,
        env: { GITHUB_EVENT_NAME: event, GITHUB_SHA: third, BEFORE: second, FAKE_LAST: lastSuccess },
        fakes: { gh: 'echo "$FAKE_LAST"' },
      });
      expect(ran.status, ran.stderr).toBe(0);
      return /^sha=(\w+)$/m.exec(ran.output)?.[1];
    };

    it('is the last commit applied in full', () => {
      expect(base('push', second)).toBe(second);
    });
    it('is nothing before any run has succeeded, so that no failed run is skipped and a first commit is applied', () => {
      expect(base('push', '')).toBe(nothing);
    });
    it('by hand, is the last commit applied in full too, so that a region switched off since is still destroyed', () => {
      expect(base('workflow_dispatch', second)).toBe(second);
    });
    it('is nothing when the last applied one is no longer in main', () => {
      expect(base('push', 'f'.repeat(40))).toBe(nothing);
    });
  });

  describe('the regions whose stacks it applies', () => {
    const MATRIX = JSON.stringify({
      include: [
        { region: 'eu-west-1', operation: 'plan', reason: 'enabled' },
        { region: 'ap-south-1', operation: 'destroy', reason: 'disabled' },
      ],
    });
    const SERVING = JSON.stringify(['us-east-1', 'eu-west-1']);
    const split = (event: string) => {
      const ran = runStep('apply.yml', 'changes', 'split', { env: { GITHUB_EVENT_NAME: event, MATRIX, SERVING } });
      expect(ran.status, ran.stderr).toBe(0);
      return Object.fromEntries(
        ran.output
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    };

    it('are the changed ones on a push, with the destroys of the change', () => {
      expect(split('push')).toEqual({
        apply: '["eu-west-1"]',
        destroy: '{"include":[{"region":"ap-south-1","operation":"destroy","reason":"disabled"}]}',
        'has-destroy': 'true',
      });
    });
    it('are every serving region by hand, with the destroys still pending', () => {
      expect(split('workflow_dispatch')).toMatchObject({ apply: '["us-east-1","eu-west-1"]', 'has-destroy': 'true' });
    });
  });

  it('reads what its push paths list, so that the check below stops it for exactly the changes that start a run', () => {
    const push = wf('apply.yml').on['push'] as { paths?: string[] };
    expect(reads('apply.yml')).toEqual(push.paths);
  });

  describe('a run of a commit main has moved on from (a queued run, or a re-run of an old one)', () => {
    it('goes on when the newer commits touch nothing it reads, since they start no run of their own', () => {
      for (const depth of ['full', 'shallow'] as const) {
        const github = new GitHub();
        const job = github.checkout(depth);
        expect(github.guard('apply.yml', job).stdout, depth).toContain(`${github.first} is the head of main`);
        github.commit('README.md', 'docs only');
        const ran = github.guard('apply.yml', job);
        expect(ran.status, `${depth}: ${ran.stdout}${ran.stderr}`).toBe(0);
        expect(ran.stdout).toContain(`main is at ${github.head()}, with nothing this run reads changed since ${github.first}: going on`);
      }
    });

    it('stops, changing nothing, once a newer commit touches what it reads: that commit has its own run', () => {
      for (const depth of ['full', 'shallow'] as const) {
        const github = new GitHub();
        const job = github.checkout(depth);
        github.commit('README.md', 'docs only').commit('regions/scalable.yaml', 'regions: []\n');
        const ran = github.guard('apply.yml', job);
        expect(ran.status, depth).toBe(1);
        expect(ran.stdout).toContain(`::error::main has moved on since ${github.first} (it is at ${github.head()}) in what this run reads`);
        expect(ran.stdout).toContain('changed on main: regions/scalable.yaml');
        expect(ran.stdout).not.toContain('README.md');
      }
    });

    it('stops when main cannot be fetched: no answer is no permission', () => {
      const github = new GitHub();
      const job = github.checkout('full');
      execFileSync('git', ['remote', 'set-url', 'origin', 'file:///nonexistent'], { cwd: job });
      expect(github.guard('apply.yml', job).status).not.toBe(0);
    });
  });

  it("stops when the region's settings cannot be read, rather than ask for a cluster with no name", () => {
    const ran = runStep('apply.yml', 'region', 'kubeconfig', { env: { REGION: 'eu-west-1', FAKE_VARS: 'fail' }, fakes: TOOLS });
    expect(ran.status).not.toBe(0);
    expect(ran.calls.filter((c) => c.startsWith('aws'))).toEqual([]);
  });

  it("reads the stack's outputs for a region whose stack it does not apply, so that the edge still gets its certificate", () => {
    const applies = 'contains(fromJSON(needs.changes.outputs.apply-regions), matrix.region)';
    expect(step('apply.yml', 'region', 'terraform').if).toBe(applies);
    expect(step('apply.yml', 'region', 'terraform outputs').if).toBe(`\${{ !${applies} }}`);
    const ran = runStep('apply.yml', 'region', 'terraform outputs', {
      env: { REGION: 'eu-west-1', TF_STATE_BUCKET: 'kubecdn-state', TF_STATE_REGION: 'us-east-1' },
      fakes: TOOLS,
    });
    expect(ran.status).toBe(0);
    expect(ran.calls).toEqual([
      'npx kubecdn tf output --region eu-west-1 --backend-config bucket=kubecdn-state --backend-config region=us-east-1',
    ]);
    const steps = (job('apply.yml', 'region').steps ?? []).map((s) => s.name);
    expect(steps.indexOf('terraform outputs')).toBeLessThan(steps.indexOf('edge manifests'));
  });

  describe('the edge manifests', () => {
    // A checkout with region files and the manifests, where the real CLI renders and prunes (npx
    // runs the built kubecdn; kubectl kustomize is the real one), and kubectl otherwise answers as
    // a cluster would: `get` prints what the last apply left (FAKE_LIVE), the rest succeed.
    const STACK_CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';
    const WORKSPACE = 'arn:aws:aps:eu-west-1:123456789012:workspace/ws-0a1b2c3d-1111-2222-3333-444455556666';
    const realKubectl = execFileSync('bash', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
    const checkout = (workspace?: string) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-edge-'));
      cpSync(path.join(ROOT, 'manifests'), path.join(dir, 'manifests'), { recursive: true });
      renameSync(regionDir({}), path.join(dir, 'regions'));
      mkdirSync(path.join(dir, '.kubecdn/plans/us-east-1'), { recursive: true });
      const output = (value: string) => ({ sensitive: false, type: 'string', value });
      writeFileSync(
        path.join(dir, '.kubecdn/plans/us-east-1/outputs.json'),
        JSON.stringify({ certificate_arn: output(STACK_CERTIFICATE), ...(workspace ? { metrics_workspace_arn: output(workspace) } : {}) }),
      );
      return dir;
    };
    /** The cluster after an apply of this render, as `kubectl get ... -o json` lists it, beside what kubeCDN does not own. */
    const live = (rendered: string) => {
      const foreign = [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: 'kubecdn' } },
        { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'general-purpose' } },
      ];
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'kubecdn-live-')), 'live.json');
      const items = parseAllDocuments(rendered).map((d) => d.toJS() as object);
      writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...items, ...foreign] }));
      return file;
    };
    const edge = (cwd: string, liveFile: string) =>
      runStep('apply.yml', 'region', 'edge manifests', {
        cwd,
        env: { REGION: 'us-east-1', NODE: process.execPath, KUBECDN_CLI: CLI, REAL_KUBECTL: realKubectl, FAKE_LIVE: liveFile },
        fakes: {
          npx: 'shift; exec "$NODE" "$KUBECDN_CLI" "$@"',
          kubectl: 'case "$1" in kustomize) exec "$REAL_KUBECTL" "$@" ;; get) cat "$FAKE_LIVE" ;; esac',
        },
      });
    const kubectl = (calls: string[]) => calls.filter((c) => c.startsWith('kubectl ') && !c.startsWith('kubectl kustomize'));
    const GET = `kubectl get ${PRUNABLE_RESOURCES} -n kubecdn -l app.kubernetes.io/part-of=kubecdn -o json`;

    it('applies server-side without --prune, which kubectl refuses with --server-side', () => {
      // kubectl's apply Validate(): "--prune is in alpha and doesn't currently work on objects
      // created by server-side apply", unless an ApplySet (alpha) is used.
      const commands = (step('apply.yml', 'region', 'edge manifests').run ?? '').replace(/\\\n\s*/g, ' ').split('\n');
      const applies = commands.filter((c) => /\bkubectl apply\b/.test(c));
      expect(applies).toHaveLength(1);
      for (const c of applies) expect(c.includes('--server-side') && c.includes('--prune')).toBe(false);
    });

    it('with a demand workspace, waits for the edge and the metrics agent, then deletes nothing that is still rendered', () => {
      const cwd = checkout(WORKSPACE);
      const rendered = kubecdn(['manifests', '--region', 'us-east-1', '--metrics-workspace-arn', WORKSPACE], { cwd });
      expect(rendered.code, rendered.stderr).toBe(0);
      const ran = edge(cwd, live(rendered.stdout));
      expect(ran.status, ran.stderr).toBe(0);
      expect(kubectl(ran.calls)).toEqual([
        'kubectl apply --server-side --field-manager=kubecdn --force-conflicts -f edge.yaml',
        'kubectl rollout status deployment/edge -n kubecdn --timeout=10m',
        'kubectl rollout status deployment/metrics-agent -n kubecdn --timeout=5m',
        GET,
      ]);
      expect(readFileSync(path.join(cwd, 'edge.yaml'), 'utf8')).toBe(rendered.stdout);
    });

    it("once the workspace is unset, waits for the edge only and deletes the agent's objects, and nothing kubeCDN does not own", () => {
      const cwd = checkout();
      const before = kubecdn(['manifests', '--region', 'us-east-1', '--metrics-workspace-arn', WORKSPACE], { cwd });
      expect(before.code, before.stderr).toBe(0);
      const ran = edge(cwd, live(before.stdout));
      expect(ran.status, ran.stderr).toBe(0);
      const calls = kubectl(ran.calls);
      expect(calls.slice(0, 3)).toEqual([
        'kubectl apply --server-side --field-manager=kubecdn --force-conflicts -f edge.yaml',
        'kubectl rollout status deployment/edge -n kubecdn --timeout=10m',
        GET,
      ]);
      expect(calls.slice(3)).toEqual([
        expect.stringMatching(
          /^kubectl delete -n kubecdn --ignore-not-found --wait=false serviceaccounts\/metrics-agent roles\.rbac\.authorization\.k8s\.io\/metrics-agent rolebindings\.rbac\.authorization\.k8s\.io\/metrics-agent configmaps\/metrics-agent-[a-z0-9]+ deployments\.apps\/metrics-agent$/,
        ),
      ]);
    });

    it('stops before deleting anything when the live objects cannot be listed', () => {
      const cwd = checkout();
      const ran = runStep('apply.yml', 'region', 'edge manifests', {
        cwd,
        env: { REGION: 'us-east-1', NODE: process.execPath, KUBECDN_CLI: CLI, REAL_KUBECTL: realKubectl },
        fakes: {
          npx: 'shift; exec "$NODE" "$KUBECDN_CLI" "$@"',
          kubectl:
            'case "$1" in kustomize) exec "$REAL_KUBECTL" "$@" ;; get) echo "error: the server has asked for the client to provide credentials" >&2; exit 1 ;; esac',
        },
      });
      expect(ran.status).not.toBe(0);
      expect(kubectl(ran.calls).filter((c) => c.startsWith('kubectl delete'))).toEqual([]);
    });
  });

  it('finds the load balancer healthy only when the edge answers over HTTP on 80 and over TLS on 443, as Route53 checks', () => {
    const host = 'k8s-kubecdn-edge-0123456789.elb.eu-west-1.amazonaws.com';
    const lb = (curl: string) =>
      runStep('apply.yml', 'region', 'load balancer target', {
        env: { REGION: 'eu-west-1' },
        fakes: { ...TOOLS, kubectl: `case "$7" in jsonpath=*) echo '${host}' ;; esac`, curl },
      });
    const ok = lb('exit 0');
    expect(ok.status).toBe(0);
    const curls = ok.calls.filter((c) => c.startsWith('curl'));
    expect(curls.some((c) => c.endsWith(`http://${host}/healthz`))).toBe(true);
    expect(curls.some((c) => c.includes(`--connect-to cdn.example.com:443:${host}:443 https://cdn.example.com/healthz`))).toBe(true);
    // A listener on 80 only (no certificate on 443): the step fails, and no target is written.
    const noTls = lb('case "$*" in *https://*) exit 7 ;; esac');
    expect(noTls.status).not.toBe(0);
    expect(noTls.calls.filter((c) => c.startsWith('npx kubecdn targets'))).toEqual([]);
  });

  describe("before a destroy, the edge's load balancer is released", () => {
    const release = (env: Record<string, string>) =>
      runStep('apply.yml', 'destroy', "release the edge's load balancer", {
        env: { REGION: 'eu-west-1', BASE: 'abc', ...env },
        fakes: TOOLS,
      });

    it('by deleting the edge of a cluster that is there', () => {
      const ran = release({});
      expect(ran.status).toBe(0);
      expect(ran.calls).toContain('kubectl delete namespace kubecdn --ignore-not-found --wait --timeout=10m');
    });
    it('with nothing to do when the cluster is not there', () => {
      const ran = release({ FAKE_EKS: 'missing' });
      expect(ran.status).toBe(0);
      expect(ran.stdout).toContain('eu-west-1: no cluster kubecdn-example-eu-west-1, so no edge to delete');
      expect(ran.calls.filter((c) => c.startsWith('kubectl'))).toEqual([]);
    });
    it('and any other error stops the destroy, so that terraform never meets a VPC the load balancer holds', () => {
      const ran = release({ FAKE_EKS: 'denied' });
      expect(ran.status).toBe(1);
      expect(ran.stdout).toContain('::error::eu-west-1: cannot tell whether cluster kubecdn-example-eu-west-1 is there');
      expect(ran.stdout).toContain('AccessDeniedException');
    });
    it('and a failure to read the settings stops it too', () => {
      const ran = release({ FAKE_VARS: 'fail' });
      expect(ran.status).not.toBe(0);
      expect(ran.calls.filter((c) => c.startsWith('aws'))).toEqual([]);
    });
  });

  it('syncs DNS and destroys only when the run was not cancelled, and destroys only after DNS is drained', () => {
    expect(job('apply.yml', 'dns').if).toBe("${{ !cancelled() && needs.changes.result == 'success' }}");
    expect(job('apply.yml', 'destroy').if).toMatch(/^\$\{\{ !cancelled\(\) && needs\.dns\.result == 'success' &&/);
  });

  it('queues rather than cancels, one writer per region and one for DNS', () => {
    expect(wf('apply.yml').concurrency).toEqual({ group: 'apply', 'cancel-in-progress': false });
    for (const name of ['region', 'destroy'])
      expect(job('apply.yml', name).concurrency).toEqual({ group: 'kubecdn-region-${{ matrix.region }}', 'cancel-in-progress': false });
    expect(job('apply.yml', 'dns').concurrency).toEqual({ group: 'kubecdn-dns', 'cancel-in-progress': false });
    for (const name of ['region', 'destroy']) expect(job('apply.yml', name).strategy?.['fail-fast']).toBe(false);
  });
});

describe('teardown.yml', () => {
  const teardown = (env: Record<string, string>) =>
    runStep('teardown.yml', 'teardown', 'teardown', {
      env: { REGION: 'eu-west-1', CONFIRM: 'eu-west-1', REASON: 'test', TF_STATE_BUCKET: 'b', TF_STATE_REGION: 'us-east-1', ...env },
      fakes: TOOLS,
    });
  const teardownCall = (calls: string[]) => calls.find((c) => c.startsWith('npx kubecdn teardown'));

  it("hands the cluster's context to the teardown when the cluster is there", () => {
    const ran = teardown({});
    expect(ran.status).toBe(0);
    expect(teardownCall(ran.calls)).toContain('--kube-context kubecdn-eu-west-1');
  });
  it('tears down without an edge to delete when the cluster is not there', () => {
    const ran = teardown({ FAKE_EKS: 'missing' });
    expect(ran.status).toBe(0);
    expect(teardownCall(ran.calls)).not.toContain('--kube-context');
  });
  it('changes nothing on any other error, or when the settings cannot be read', () => {
    for (const env of [{ FAKE_EKS: 'denied' }, { FAKE_VARS: 'fail' }]) {
      const ran = teardown(env);
      expect(ran.status, JSON.stringify(env)).not.toBe(0);
      expect(teardownCall(ran.calls), JSON.stringify(env)).toBeUndefined();
    }
  });

  it('after waiting for its reviewer, goes on past merges of what it does not read, and stops at one of what it does', () => {
    const github = new GitHub();
    const job = github.checkout('shallow');
    github.commit('README.md', 'docs').commit('actions/sync-dns/action.yml', 'name: x\n').commit('bench/note.txt', 'x');
    const ran = github.guard('teardown.yml', job);
    expect(ran.status, ran.stdout + ran.stderr).toBe(0);
    for (const file of ['src/cli/main.ts', 'regions/scalable.yaml', 'package-lock.json']) {
      const moved = new GitHub();
      const checkout = moved.checkout('shallow');
      moved.commit(file, 'changed');
      const refused = moved.guard('teardown.yml', checkout);
      expect(refused.status, file).toBe(1);
      expect(refused.stdout).toContain(`changed on main: ${file}`);
    }
    expect(reads('teardown.yml')).toEqual(expect.arrayContaining(['regions/**', 'terraform/**', 'manifests/**', 'src/**', 'package.json']));
  });

  it('drains in the DNS group, so that it never races an apply of the records', () => {
    expect(job('teardown.yml', 'teardown').concurrency).toEqual({ group: 'kubecdn-dns', 'cancel-in-progress': false });
    expect(wf('teardown.yml').concurrency).toEqual({ group: 'kubecdn-region-${{ inputs.region }}', 'cancel-in-progress': false });
  });

  it('without the App, puts the change to make by hand in the summary', () => {
    const repo = new Repo();
    repo.write('regions/scalable.yaml', 'regions:\n  - region: eu-west-1\n    enabled: true\n').commit('regions');
    const byHand = () =>
      runStep('teardown.yml', 'teardown', 'the pull request, by hand', { cwd: repo.root, env: { REGION: 'eu-west-1', REASON: 'a fire' } });
    expect(byHand().summary).toBe('');
    writeFileSync(path.join(repo.root, 'regions/scalable.yaml'), 'regions:\n  - region: eu-west-1\n    enabled: false\n');
    const ran = byHand();
    expect(ran.status).toBe(0);
    expect(ran.summary).toContain('Disable eu-west-1 after its emergency teardown');
    expect(ran.summary).toContain('-    enabled: true\n+    enabled: false');
    expect(ran.stdout).toContain('::warning::no pull request was opened');
    expect(ran.summary).toContain('No GitHub App is set up');
    expect(step('teardown.yml', 'teardown', 'the pull request, by hand').if).toContain("steps.pr.outcome != 'success'");

    // With the App set up, the summary says which step failed rather than that there is no App.
    const because = (env: Record<string, string>) =>
      runStep('teardown.yml', 'teardown', 'the pull request, by hand', {
        cwd: repo.root,
        env: { REGION: 'eu-west-1', REASON: 'a fire', APP_ID: 'Iv23liExample', ...env },
      }).summary;
    const token = because({ APP_OUTCOME: 'failure', PR_OUTCOME: 'skipped' });
    expect(token).toContain("The GitHub App's token could not be made (step `app`: failure;");
    expect(token).not.toContain('No GitHub App is set up');
    const pr = because({ APP_OUTCOME: 'success', PR_OUTCOME: 'failure' });
    expect(pr).toContain("The pull request could not be opened with the GitHub App's token (step `pr`: failure;");
    expect(pr).not.toContain('No GitHub App is set up');
    expect(step('teardown.yml', 'teardown', 'the pull request, by hand').env).toEqual({
      APP_ID: '${{ vars.KUBECDN_APP_ID }}',
      APP_OUTCOME: '${{ steps.app.outcome }}',
      PR_OUTCOME: '${{ steps.pr.outcome }}',
    });
  });
});

describe('purge.yml', () => {
  const purge = (env: Record<string, string>) => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'kubecdn-purge-'));
    const run = (key: string) => runStep('purge.yml', 'purge', key, { cwd, env: { REASON: 'bad deploy', ...env }, fakes: { npx: '' } });
    return { check: run('check'), purge: run('purge') };
  };

  it('checks the URLs before any credential, then purges exactly those, recorded in the job summary', () => {
    const ran = purge({ URLS: 'https://cdn.example.com/a.js  https://cdn.example.com/b.js?v=2' });
    expect(ran.check.calls).toEqual([
      'npx kubecdn purge --reason bad deploy --check-only -- https://cdn.example.com/a.js https://cdn.example.com/b.js?v=2',
    ]);
    expect(ran.purge.calls).toEqual([
      expect.stringMatching(
        /^npx kubecdn purge --reason bad deploy --summary \S+summary -- https:\/\/cdn\.example\.com\/a\.js https:\/\/cdn\.example\.com\/b\.js\?v=2$/,
      ),
    ]);
    const steps = job('purge.yml', 'purge').steps ?? [];
    const at = (pattern: RegExp) => steps.findIndex((x) => pattern.test(x.name ?? x.uses ?? ''));
    expect(at(/^check$/)).toBeLessThan(at(/^aws-actions\/configure-aws-credentials@/));
  });

  it('purges everything, of one hostname or of all, only with the confirmation passed on', () => {
    expect(purge({ URLS: 'everything', CONFIRM: 'everything', HOSTNAME_INPUT: '' }).check.calls).toEqual([
      'npx kubecdn purge --reason bad deploy --check-only --everything --confirm everything',
    ]);
    expect(purge({ URLS: 'everything', CONFIRM: 'static.example.com', HOSTNAME_INPUT: 'static.example.com' }).purge.calls).toEqual([
      expect.stringMatching(
        /^npx kubecdn purge --reason bad deploy --summary \S+ --everything --confirm static\.example\.com --hostname static\.example\.com$/,
      ),
    ]);
  });

  it('refuses an option smuggled into the urls input, purging nothing', () => {
    const ran = purge({ URLS: 'https://cdn.example.com/a.js --everything --confirm everything' });
    expect([ran.check.status, ran.check.calls, ran.check.stdout.trim()]).toEqual([
      1,
      [],
      '::error::not a URL: --everything (the urls input takes whole URLs, or the word everything). Nothing was purged.',
    ]);
  });

  it('fails the kubeconfig step when a command in it fails, rather than leave a region out', () => {
    const kubeconfig = (npx: string) => runStep('purge.yml', 'purge', 'kubeconfig', { fakes: { npx, aws: '' } });
    const listed = kubeconfig(
      `[ "$2" = regions ] && echo '[{"region":"us-east-1","serving":true},{"region":"eu-west-1","serving":true}]' || echo '{"owner_id":"acme","region":"'"$5"'"}'`,
    );
    expect([listed.status, listed.calls.filter((c) => c.startsWith('aws'))]).toEqual([
      0,
      [
        'aws eks update-kubeconfig --region us-east-1 --name acme-us-east-1 --alias kubecdn-us-east-1',
        'aws eks update-kubeconfig --region eu-west-1 --name acme-eu-west-1 --alias kubecdn-eu-west-1',
      ],
    ]);
    const failing = kubeconfig('echo "kubecdn: regions/cdn.yaml:3:1: bad" >&2; exit 1');
    expect([failing.status, failing.calls.filter((c) => c.startsWith('aws'))]).toEqual([1, []]);
    const tfFails = kubeconfig(`[ "$2" = regions ] && echo '[{"region":"us-east-1","serving":true}]' || exit 1`);
    expect([tfFails.status, tfFails.calls.filter((c) => c.startsWith('aws'))]).toEqual([1, []]);
  });

  it('queues purges one at a time, in the purge environment, as the purge role', () => {
    expect(wf('purge.yml').concurrency).toEqual({ group: 'kubecdn-purge', 'cancel-in-progress': false });
    expect(job('purge.yml', 'purge').environment).toBe('purge');
    const roles = (job('purge.yml', 'purge').steps ?? []).map((s) => s.with?.['role-to-assume']).filter(Boolean);
    expect(roles).toEqual(['${{ vars.AWS_PURGE_ROLE_ARN }}']);
  });
});

describe('roles and environments', () => {
  it('assume the apply role only in production, the destroy role only in production-destroy, from apply.yml and teardown.yml, and the purge role only in purge, from purge.yml', () => {
    for (const [file, w] of workflows)
      for (const [name, j] of Object.entries(w.jobs)) {
        const roles = (j.steps ?? []).map((s) => s.with?.['role-to-assume']).filter((r): r is string => typeof r === 'string');
        for (const role of roles) {
          if (role.includes('AWS_APPLY_ROLE_ARN')) expect(j.environment, `${file} ${name}`).toBe('production');
          if (role.includes('AWS_DESTROY_ROLE_ARN')) {
            expect(j.environment, `${file} ${name}`).toBe('production-destroy');
            expect(['apply.yml', 'teardown.yml']).toContain(file);
          }
          if (j.environment === 'production-destroy') expect(role, `${file} ${name}`).toBe('${{ vars.AWS_DESTROY_ROLE_ARN }}');
          if (file === 'plan.yml') expect(role, name).toBe('${{ vars.AWS_PLAN_ROLE_ARN }}');
          // The purge role's trust names purge.yml in the purge environment (terraform/bootstrap/purge.tf).
          if (role.includes('AWS_PURGE_ROLE_ARN') || j.environment === 'purge') {
            expect([file, j.environment, role], name).toEqual(['purge.yml', 'purge', '${{ vars.AWS_PURGE_ROLE_ARN }}']);
          }
        }
      }
  });

  it("are all named in the README's set-up, with the sub claim customisation the roles' trust needs", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const setup = readme.slice(readme.indexOf('### Setting up the workflows'), readme.indexOf('### Emergency teardown'));
    const named = new Set<string>();
    for (const [file, w] of workflows) {
      const source = readFileSync(path.join(ROOT, '.github/workflows', file), 'utf8');
      for (const m of source.matchAll(/\b(?:vars|secrets)\.(\w+)/g)) if (m[1] !== 'GITHUB_TOKEN') named.add(m[1] ?? '');
      for (const j of Object.values(w.jobs)) if (j.environment) named.add(j.environment);
    }
    for (const name of ['apply.yml', 'plan.yml', 'teardown.yml', 'purge.yml'].flatMap((f) =>
      [...readFileSync(path.join(ROOT, '.github/workflows', f), 'utf8').matchAll(/\b(?:vars|secrets)\.(\w+)/g)].map((m) => m[1] ?? ''),
    ))
      expect(setup, name).toContain(`\`${name}\``);
    for (const name of named) expect(readme, name).toContain(`\`${name}\``);
    expect(setup).toContain(
      "gh api -X PUT repos/OWNER/REPO/actions/oidc/customization/sub -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=job_workflow_ref'",
    );
    for (const check of ['`ci`', '`plan`']) expect(setup).toContain(check);
  });

  it('send the reader of the set-up to sections that exist, in the direction they are', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    // GitHub's anchors: the heading in lower case, punctuation dropped, spaces as hyphens.
    const headings = [...readme.matchAll(/^#+ (.+)$/gm)].map((m) => ({
      at: m.index,
      slug: (m[1] ?? '')
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    }));
    const start = readme.indexOf('### Setting up the workflows');
    const setup = readme.slice(start, readme.indexOf('### Emergency teardown'));
    expect(setup).toContain('[One-time bootstrap](#one-time-bootstrap), above');
    for (const m of setup.matchAll(/\]\(#([\w-]+)\)(?:, (above|below))?/g)) {
      const target = headings.find((h) => h.slug === m[1]);
      expect(target, m[1]).toBeDefined();
      if (m[2]) expect((target?.at ?? 0) < start ? 'above' : 'below', m[1]).toBe(m[2]);
    }
    expect(setup).not.toMatch(/\((?:above|below)\)/); // a direction with no link to follow
  });
});
