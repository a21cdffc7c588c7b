// What apply.yml deletes after its server-side apply: the live objects of the edge that the render
// no longer holds, and nothing else (src/core/edge/prune.ts). The live side is what
// `kubectl get <kinds> -o json` prints: a List whose items carry apiVersion, kind and metadata.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { deleteArgument, parseLive, parseRendered, PRUNABLE_KINDS, pruneTargets } from '../src/core/edge/prune.js';
import { EDGE_KINDS, EDGE_NAMESPACE } from '../src/node/manifests.js';

const PART_OF = { 'app.kubernetes.io/part-of': 'kubecdn' };

function object(apiVersion: string, kind: string, name: string, options: { namespace?: string | null; labels?: object } = {}) {
  const namespace = options.namespace === undefined ? EDGE_NAMESPACE : options.namespace;
  return {
    apiVersion,
    kind,
    metadata: { name, ...(namespace === null ? {} : { namespace }), labels: options.labels ?? PART_OF },
  };
}
const cluster = { namespace: null } as const;

/** An edge as kubecdn manifests renders it, with a metrics agent and two node pools. */
const EDGE = [
  object('v1', 'Namespace', 'kubecdn', cluster),
  object('v1', 'ServiceAccount', 'edge'),
  object('v1', 'ConfigMap', 'edge-nginx-5g7h8k'),
  object('v1', 'Service', 'edge'),
  object('apps/v1', 'Deployment', 'edge'),
  object('autoscaling/v2', 'HorizontalPodAutoscaler', 'edge'),
  object('policy/v1', 'PodDisruptionBudget', 'edge'),
  object('v1', 'ServiceAccount', 'metrics-agent'),
  object('v1', 'ConfigMap', 'metrics-agent-2b4c6d'),
  object('rbac.authorization.k8s.io/v1', 'Role', 'metrics-agent'),
  object('rbac.authorization.k8s.io/v1', 'RoleBinding', 'metrics-agent'),
  object('apps/v1', 'Deployment', 'metrics-agent'),
  object('karpenter.sh/v1', 'NodePool', 'edge-a', cluster),
  object('eks.amazonaws.com/v1', 'NodeClass', 'edge-a', cluster),
  object('karpenter.sh/v1', 'NodePool', 'edge-b', cluster),
  object('eks.amazonaws.com/v1', 'NodeClass', 'edge-b', cluster),
];

const without = (...names: string[]) => EDGE.filter((o) => !names.includes(`${o.kind}/${o.metadata.name}`));
const prune = (rendered: readonly object[], live: readonly object[]) =>
  pruneTargets(rendered, live, EDGE_NAMESPACE).map((t) => deleteArgument(t));

describe('the objects a prune deletes', () => {
  it('is nothing when the live edge is what was rendered', () => {
    expect(prune(EDGE, EDGE)).toEqual([]);
  });

  it('is an object removed from the render, named as kubectl delete takes it', () => {
    expect(prune(without('ConfigMap/edge-nginx-5g7h8k'), EDGE)).toEqual(['configmaps/edge-nginx-5g7h8k']);
  });

  it('is the whole metrics agent once the workspace is unset: its Deployment, ConfigMap, ServiceAccount, Role and RoleBinding', () => {
    const rendered = without(
      'Deployment/metrics-agent',
      'ConfigMap/metrics-agent-2b4c6d',
      'ServiceAccount/metrics-agent',
      'Role/metrics-agent',
      'RoleBinding/metrics-agent',
    );
    expect(prune(rendered, EDGE).sort()).toEqual([
      'configmaps/metrics-agent-2b4c6d',
      'deployments.apps/metrics-agent',
      'rolebindings.rbac.authorization.k8s.io/metrics-agent',
      'roles.rbac.authorization.k8s.io/metrics-agent',
      'serviceaccounts/metrics-agent',
    ]);
  });

  it('is a NodePool and its NodeClass removed from the region file, cluster-scoped as they are', () => {
    const targets = pruneTargets(without('NodePool/edge-b', 'NodeClass/edge-b'), EDGE, EDGE_NAMESPACE);
    expect(targets.map(deleteArgument)).toEqual(['nodepools.karpenter.sh/edge-b', 'nodeclasses.eks.amazonaws.com/edge-b']);
    expect(targets.map((t) => t.namespace)).toEqual([undefined, undefined]);
  });

  it('keeps what kubeCDN did not label, even in its own namespace and of its own kinds', () => {
    const foreign = [
      object('v1', 'ConfigMap', 'kube-root-ca.crt', { labels: {} }),
      object('apps/v1', 'Deployment', 'someone-elses', { labels: { 'app.kubernetes.io/part-of': 'other' } }),
      object('karpenter.sh/v1', 'NodePool', 'general-purpose', { namespace: null, labels: {} }),
    ];
    expect(prune(EDGE, [...EDGE, ...foreign])).toEqual([]);
  });

  it("keeps another namespace's objects, labelled or not", () => {
    const elsewhere = [
      object('v1', 'ConfigMap', 'edge-nginx-old', { namespace: 'default' }),
      object('apps/v1', 'Deployment', 'edge', { namespace: 'staging' }),
    ];
    expect(prune(EDGE, [...EDGE, ...elsewhere])).toEqual([]);
  });

  it('never deletes the namespace, even when the render lacks it', () => {
    expect(prune(without('Namespace/kubecdn'), EDGE)).toEqual([]);
  });

  it('keeps kinds the edge is not made of, whatever their labels (ReplicaSets, Pods, Endpoints copy them)', () => {
    const made = [object('apps/v1', 'ReplicaSet', 'edge-7d9f'), object('v1', 'Pod', 'edge-7d9f-x2z'), object('v1', 'Endpoints', 'edge')];
    expect(prune(EDGE, [...EDGE, ...made])).toEqual([]);
  });

  it('matches an object across API versions: the render in autoscaling/v2 is the live one listed in v1', () => {
    expect(prune(EDGE, [object('autoscaling/v1', 'HorizontalPodAutoscaler', 'edge')])).toEqual([]);
  });

  it('refuses to prune against an empty render, which would take the whole edge', () => {
    expect(() => pruneTargets([], EDGE, EDGE_NAMESPACE)).toThrow("the render holds none of the edge's objects");
    expect(() => pruneTargets([object('v1', 'Namespace', 'kubecdn', cluster)], EDGE, EDGE_NAMESPACE)).toThrow(/none of the edge's objects/);
  });

  it("refuses to prune against a render without the edge's Deployment or Service, which would take the edge and its load balancer", () => {
    expect(() => prune(without('Deployment/edge'), EDGE)).toThrow(
      'the render lacks Deployment kubecdn/edge: nothing is pruned against a partial edge',
    );
    expect(() => prune(without('Service/edge', 'Deployment/edge'), EDGE)).toThrow(
      'the render lacks Deployment kubecdn/edge and Service kubecdn/edge',
    );
    // In another namespace, as an overlay that sets its own would render it, it is not the edge.
    const elsewhere = EDGE.map((o) => (o.metadata.namespace ? { ...o, metadata: { ...o.metadata, namespace: 'other' } } : o));
    expect(() => prune(elsewhere, EDGE)).toThrow(/lacks Deployment kubecdn\/edge and Service kubecdn\/edge/);
  });

  it('covers every kind the edge is rendered from but the Namespace', () => {
    const groupKind = (apiVersionKind: string) => {
      const parts = apiVersionKind.split('/');
      return `${parts.length === 3 ? parts[0] : ''}/${parts.at(-1)}`;
    };
    expect(PRUNABLE_KINDS.map((k) => `${k.group}/${k.kind}`).sort()).toEqual(
      EDGE_KINDS.map(groupKind)
        .filter((k) => k !== '/Namespace')
        .sort(),
    );
  });
});

describe('reading the render and the live objects', () => {
  it('reads the YAML documents kubecdn manifests printed', () => {
    const yaml = EDGE.map((o) => stringify(o)).join('---\n');
    expect(parseRendered(yaml, 'edge.yaml')).toEqual(EDGE);
  });

  it('points at the place of broken YAML', () => {
    expect(() => parseRendered('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n', 'edge.yaml')).toThrow(
      /^edge\.yaml:4:1: Flow map in block collection must be sufficiently indented and end with a }$/,
    );
  });

  it("reads kubectl get's List, and says what it expected of anything else", () => {
    expect(parseLive(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: EDGE }), 'live.json')).toEqual(EDGE);
    expect(() => parseLive('{"items": [', 'live.json')).toThrow(/^live\.json is not JSON \(kubectl get \.\.\. -o json\): /);
    expect(() => parseLive('[1]', 'live.json')).toThrow('live.json: not a Kubernetes List (kubectl get ... -o json)');
  });

  it('names an item that is not an object', () => {
    expect(() => pruneTargets(EDGE, [{ kind: 'ConfigMap' }], EDGE_NAMESPACE)).toThrow(
      'live object 1: not a Kubernetes object (no apiVersion and kind)',
    );
    expect(() => pruneTargets(EDGE, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }], EDGE_NAMESPACE)).toThrow(
      'live object 1: ConfigMap has no metadata.name',
    );
  });
});
