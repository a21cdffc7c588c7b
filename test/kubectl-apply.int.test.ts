// Integration: apply.yml's "edge manifests" step, run as the runner runs it, with the real kubectl
// (1.32, from the machine image) on PATH and `npx kubecdn` running the built CLI. kubectl talks to
// test/kube-api.ts, an in-process stand-in for the Kubernetes API server that serves what the API
// reference documents for these calls: discovery, OpenAPI v3 (so kubectl validates server-side, as
// with a real server), server-side apply (PATCH application/apply-patch+yaml), lists by label
// selector, watches and DELETE. Its Deployments report themselves rolled out once applied, as the
// deployment controller would once the pods were ready, so `kubectl rollout status` runs unchanged.
// Unlike the fake kubectl of workflows-flow.test.ts, this one refuses what real kubectl refuses,
// such as --prune with --server-side.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KubeApi, type KubeObject } from './kube-api.js';
import { CLI, ROOT } from './run.js';
import { shellCommand, step } from './workflow-files.js';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';
const WORKSPACE = 'arn:aws:aps:eu-west-1:123456789012:workspace/ws-0a1b2c3d-1111-2222-3333-444455556666';
const STEP = step('apply.yml', 'region', 'edge manifests');

/** The command apply.yml ran before: server-side apply with kubectl's legacy --prune. */
const OLD_APPLY = [
  'kubectl apply --server-side --field-manager=kubecdn --force-conflicts -f edge.yaml',
  '--prune -l app.kubernetes.io/part-of=kubecdn',
  ...[
    'core/v1/ConfigMap',
    'core/v1/Service',
    'core/v1/ServiceAccount',
    'apps/v1/Deployment',
    'autoscaling/v2/HorizontalPodAutoscaler',
    'policy/v1/PodDisruptionBudget',
    'rbac.authorization.k8s.io/v1/Role',
    'rbac.authorization.k8s.io/v1/RoleBinding',
    'karpenter.sh/v1/NodePool',
    'eks.amazonaws.com/v1/NodeClass',
  ].map((gvk) => `--prune-allowlist=${gvk}`),
].join(' ');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking this process, whose event loop serves the API. */
function run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string }): Promise<Ran> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The region's checkout: the shipped region files and manifests, and the stack's outputs. */
function checkout(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-kubectl-'));
  for (const d of ['regions', 'manifests']) cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
  mkdirSync(path.join(dir, 'bin'));
  // `npx kubecdn …` as the runner resolves it after npm ci: the CLI built from this source.
  writeFileSync(path.join(dir, 'bin/npx'), `#!/usr/bin/env bash\nshift\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
  return dir;
}

function stackOutputs(cwd: string, workspace?: string): void {
  const output = (value: string) => ({ sensitive: false, type: 'string', value });
  mkdirSync(path.join(cwd, '.kubecdn/plans/us-east-1'), { recursive: true });
  writeFileSync(
    path.join(cwd, '.kubecdn/plans/us-east-1/outputs.json'),
    JSON.stringify({ certificate_arn: output(CERTIFICATE), ...(workspace ? { metrics_workspace_arn: output(workspace) } : {}) }),
  );
}

const held = (objects: KubeObject[]) =>
  objects.map((o) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`).sort();
const rendered = (cwd: string) => parseAllDocuments(readFileSync(path.join(cwd, 'edge.yaml'), 'utf8')).map((d) => d.toJS() as KubeObject);

describe('the edge manifests step, with the real kubectl against an API server', () => {
  let api: KubeApi;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    api = new KubeApi();
    const server = await api.start();
    cwd = checkout();
    const kubeconfig = path.join(cwd, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'kubecdn-us-east-1', cluster: { server } }],
        users: [{ name: 'kubecdn-us-east-1', user: {} }],
        contexts: [{ name: 'kubecdn-us-east-1', context: { cluster: 'kubecdn-us-east-1', user: 'kubecdn-us-east-1' } }],
        'current-context': 'kubecdn-us-east-1',
      }),
    );
    env = { PATH: `${path.join(cwd, 'bin')}:${process.env['PATH'] ?? ''}`, HOME: cwd, KUBECONFIG: kubeconfig, REGION: 'us-east-1' };
  });
  afterEach(() => api.stop());

  /** The step's script, as the runner starts it; `edit` may change it first. */
  const runStep = (edit: (script: string) => string = (s) => s) => {
    const script = path.join(cwd, 'step.sh');
    writeFileSync(script, edit(STEP.run ?? ''));
    const [command = 'bash', ...args] = shellCommand('apply.yml', 'region', STEP);
    return run(command, [...args, script], { cwd, env });
  };

  it("applies the edge with its metrics agent, then without: the agent's objects are gone, the edge and what kubeCDN does not own stay", async () => {
    // What the cluster holds beside the edge: EKS's CA bundle in the namespace and a node pool of
    // its own, neither labelled as kubeCDN's, applied by another field manager.
    const foreign = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kube-root-ca.crt, namespace: kubecdn}\ndata: {ca.crt: x}',
      'apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: general-purpose}\nspec: {}',
    ].join('\n---\n');
    const seeded = await run('kubectl', ['apply', '--server-side', '--field-manager=eks', '-f', '-'], { cwd, env, input: foreign });
    expect(seeded.stderr).toBe('');
    const others = ['ConfigMap kubecdn/kube-root-ca.crt', 'NodePool general-purpose'];
    const before = api.requests.length;

    stackOutputs(cwd, WORKSPACE);
    const first = await runStep();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('kubecdn prune: 0 of 17 live objects no longer rendered\n');
    const withAgent = rendered(cwd);
    expect(withAgent.filter((o) => o.metadata.name.startsWith('metrics-agent')).map((o) => o.kind)).toHaveLength(5);
    expect(first.stdout).toContain('deployment.apps/metrics-agent serverside-applied');
    expect(first.stdout).toContain('deployment "edge" successfully rolled out');
    expect(first.stdout).toContain('deployment "metrics-agent" successfully rolled out');
    expect(api.held()).toEqual([...held(withAgent), ...others].sort());
    expect(api.requests.filter((r) => r.startsWith('DELETE'))).toEqual([]);
    expect(
      api.requests
        .slice(before)
        .filter((r) => r.startsWith('PATCH'))
        .every((r) => /[?&]fieldManager=kubecdn&fieldValidation=Strict&force=true$/.test(r)),
    ).toBe(true);

    stackOutputs(cwd);
    const second = await runStep();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toBe('kubecdn prune: 5 of 16 live objects no longer rendered\n');
    const withoutAgent = rendered(cwd);
    expect(withoutAgent.filter((o) => o.metadata.name.startsWith('metrics-'))).toEqual([]);
    expect(second.stdout).not.toContain('deployment "metrics-agent"');
    expect(api.held()).toEqual([...held(withoutAgent), ...others].sort());
    expect(api.held().filter((o) => o.includes('metrics-agent'))).toEqual([]);
    expect(api.held()).toEqual(
      expect.arrayContaining(['Deployment kubecdn/edge', 'Service kubecdn/edge', 'Namespace kubecdn', 'NodePool edge']),
    );
    expect(
      api.requests
        .filter((r) => r.startsWith('DELETE'))
        .map((r) => r.replace(/\?.*$/, ''))
        .sort(),
    ).toEqual([
      expect.stringMatching(/^DELETE \/api\/v1\/namespaces\/kubecdn\/configmaps\/metrics-agent-[a-z0-9]+$/),
      'DELETE /api/v1/namespaces/kubecdn/serviceaccounts/metrics-agent',
      'DELETE /apis/apps/v1/namespaces/kubecdn/deployments/metrics-agent',
      'DELETE /apis/rbac.authorization.k8s.io/v1/namespaces/kubecdn/rolebindings/metrics-agent',
      'DELETE /apis/rbac.authorization.k8s.io/v1/namespaces/kubecdn/roles/metrics-agent',
    ]);
  });

  it('fails, and changes nothing, with the server-side apply and --prune it ran before, which kubectl refuses', async () => {
    stackOutputs(cwd);
    const apply = /^\s*kubectl apply --server-side --field-manager=kubecdn --force-conflicts -f edge\.yaml$/m;
    expect(STEP.run).toMatch(apply);
    const ran = await runStep((s) => s.replace(apply, OLD_APPLY));
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toContain("error: --prune is in alpha and doesn't currently work on objects created by server-side apply");
    expect(api.requests.filter((r) => !r.startsWith('GET'))).toEqual([]);
    expect(api.held()).toEqual([]);
  });
});
