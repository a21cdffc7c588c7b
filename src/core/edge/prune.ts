// What a region's edge no longer renders, and so must go. apply.yml applies the edge server-side,
// which kubectl cannot prune without an ApplySet (still alpha): it refuses --prune with
// --server-side ("--prune is in alpha and doesn't currently work on objects created by server-side
// apply"), and its legacy prune only finds objects carrying the last-applied annotation, which
// server-side apply never writes (and near.conf is too large for it). So the prune is decided
// here, narrowly: only objects labelled as kubeCDN's, of the kinds the edge is made of, in the
// edge's namespace or cluster-scoped, that the render no longer holds; never the namespace.
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../problems.js';

/** The label every object of the edge carries (manifests/base and the components set it). */
export const PART_OF = { key: 'app.kubernetes.io/part-of', value: 'kubecdn' } as const;

export interface EdgeKind {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly kind: string;
  /** The plural resource name kubectl takes, qualified with its group where it has one. */
  readonly resource: string;
  readonly namespaced: boolean;
}

const kind = (group: string, name: string, plural: string, namespaced = true): EdgeKind => ({
  group,
  kind: name,
  resource: group ? `${plural}.${group}` : plural,
  namespaced,
});

/**
 * The kinds the edge is made of that a prune may remove: every kind kubecdn manifests renders but
 * the Namespace, which holds everything else and whose removal would take the edge with it.
 */
export const PRUNABLE_KINDS: readonly EdgeKind[] = [
  kind('', 'ConfigMap', 'configmaps'),
  kind('', 'Service', 'services'),
  kind('', 'ServiceAccount', 'serviceaccounts'),
  kind('apps', 'Deployment', 'deployments'),
  kind('autoscaling', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
  kind('policy', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  kind('rbac.authorization.k8s.io', 'Role', 'roles'),
  kind('rbac.authorization.k8s.io', 'RoleBinding', 'rolebindings'),
  kind('karpenter.sh', 'NodePool', 'nodepools', false),
  kind('eks.amazonaws.com', 'NodeClass', 'nodeclasses', false),
];

/**
 * What every region's edge is made around: a render without them is broken (an overlay that
 * leaves out base, another namespace), and applying or pruning against it would take the edge,
 * and with its Service the load balancer that DNS points at, away.
 */
const ESSENTIALS = [
  { group: 'apps', kind: 'Deployment', name: 'edge' },
  { group: '', kind: 'Service', name: 'edge' },
] as const;

/** The essential objects a render lacks, as `Deployment kubecdn/edge`; none for a whole edge. */
export function missingEssentials(rendered: readonly unknown[], namespace: string): string[] {
  const held = new Set(
    rendered.map((value, i) => {
      const o = objectRef(value, `rendered object ${i + 1}`);
      return `${groupOf(o.apiVersion)}/${o.kind}/${o.namespace ?? ''}/${o.name}`;
    }),
  );
  return ESSENTIALS.filter((e) => !held.has(`${e.group}/${e.kind}/${namespace}/${e.name}`)).map((e) => `${e.kind} ${namespace}/${e.name}`);
}

/** For `kubectl get`: every prunable kind, comma-separated, as one resource argument. */
export const PRUNABLE_RESOURCES = PRUNABLE_KINDS.map((k) => k.resource).join(',');

export interface PruneTarget {
  readonly kind: EdgeKind;
  readonly name: string;
  /** The edge's namespace for a namespaced kind; undefined for a cluster-scoped one. */
  readonly namespace: string | undefined;
}

/** `deployments.apps/metrics-agent`: what `kubectl delete -n <namespace>` takes. */
export const deleteArgument = (target: PruneTarget): string => `${target.kind.resource}/${target.name}`;

interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
  readonly labels: Readonly<Record<string, unknown>>;
}

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');

function edgeKind(o: ObjectRef): EdgeKind | undefined {
  const group = groupOf(o.apiVersion);
  return PRUNABLE_KINDS.find((k) => k.group === group && k.kind === o.kind);
}

/** One object's identity across versions: a render in autoscaling/v2 and a list in v1 are the same object. */
const identity = (k: EdgeKind, namespace: string | undefined, name: string) => `${k.group}/${k.kind}/${namespace ?? ''}/${name}`;

function objectRef(value: unknown, where: string): ObjectRef {
  const o = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; labels?: unknown } } | null;
  if (typeof o !== 'object' || o === null || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string')
    throw new UsageError(`${where}: not a Kubernetes object (no apiVersion and kind)`);
  const name = o.metadata?.name;
  if (typeof name !== 'string' || !name) throw new UsageError(`${where}: ${o.kind} has no metadata.name`);
  const namespace = typeof o.metadata?.namespace === 'string' && o.metadata.namespace ? o.metadata.namespace : undefined;
  const labels = typeof o.metadata?.labels === 'object' && o.metadata.labels !== null ? (o.metadata.labels as Record<string, unknown>) : {};
  return { apiVersion: o.apiVersion, kind: o.kind, name, namespace, labels };
}

/** The objects of a rendered edge: the YAML `kubecdn manifests` printed, one document each. */
export function parseRendered(yaml: string, file: string): unknown[] {
  const docs = parseAllDocuments(yaml);
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [1, 1];
      // The yaml package's message repeats the place and quotes the source: the first line, without it.
      const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:$/, '');
      throw new UsageError(`${file}:${line}:${column}: ${message}`);
    }
  }
  return docs.map((d) => d.toJS() as unknown).filter((o) => o !== null && o !== undefined);
}

/** The items of what `kubectl get <kinds> -o json` printed: a List, or one object. */
export function parseLive(json: string, file: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new UsageError(`${file} is not JSON (kubectl get ... -o json): ${(error as Error).message}`);
  }
  const list = value as { kind?: unknown; items?: unknown } | null;
  if (typeof list === 'object' && list !== null && Array.isArray(list.items)) return list.items as unknown[];
  if (typeof list === 'object' && list !== null && typeof list.kind === 'string') return [list];
  throw new UsageError(`${file}: not a Kubernetes List (kubectl get ... -o json)`);
}

/**
 * The live objects to delete: labelled part-of=kubecdn, of a prunable kind, in `namespace` (or
 * cluster-scoped), and not in the render. Anything else in `live` is kept, whatever asked for it:
 * an unlabelled object, one in another namespace, the Namespace, a kind the edge is not made of.
 */
export function pruneTargets(rendered: readonly unknown[], live: readonly unknown[], namespace: string): PruneTarget[] {
  const wanted = new Set<string>();
  rendered.forEach((value, i) => {
    const o = objectRef(value, `rendered object ${i + 1}`);
    const k = edgeKind(o);
    if (k) wanted.add(identity(k, k.namespaced ? (o.namespace ?? namespace) : undefined, o.name));
  });
  // An empty, failed or partial render would make the edge itself look removed.
  if (!wanted.size) throw new UsageError(`the render holds none of the edge's objects: nothing is pruned against an empty edge`);
  const missing = missingEssentials(rendered, namespace);
  if (missing.length) throw new UsageError(`the render lacks ${missing.join(' and ')}: nothing is pruned against a partial edge`);
  const targets: PruneTarget[] = [];
  const seen = new Set<string>();
  live.forEach((value, i) => {
    const o = objectRef(value, `live object ${i + 1}`);
    const k = edgeKind(o);
    if (!k || o.labels[PART_OF.key] !== PART_OF.value) return;
    if (k.namespaced ? o.namespace !== namespace : o.namespace !== undefined) return;
    const id = identity(k, o.namespace, o.name);
    if (wanted.has(id) || seen.has(id)) return;
    seen.add(id);
    targets.push({ kind: k, name: o.name, namespace: o.namespace });
  });
  return targets;
}
