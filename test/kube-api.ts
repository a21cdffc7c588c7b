// A small stand-in for the Kubernetes API server, for the real kubectl to talk to over plain HTTP
// on loopback. It serves what the API reference documents for the calls the edge's deploy step
// makes, and nothing more: legacy discovery (/api, /api/v1, /apis, /apis/<group>/<version>), an
// OpenAPI v3 index whose PATCH operations take `fieldValidation` (so kubectl leaves validation to
// the server, as it does with a real one), server-side apply (PATCH application/apply-patch+yaml,
// creating or replacing the object the field manager owns), GET of one object or of a list with a
// labelSelector or fieldSelector on metadata.name, a watch that stays open, and DELETE.
// A Deployment reports itself rolled out as soon as it is applied, as the deployment controller
// would once its pods were ready, so that `kubectl rollout status` returns.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';

interface Resource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** The kinds the edge is made of, by the group and version it renders them with. */
export const RESOURCES: readonly Resource[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true },
  { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { group: 'karpenter.sh', version: 'v1', kind: 'NodePool', plural: 'nodepools', namespaced: false },
  { group: 'eks.amazonaws.com', version: 'v1', kind: 'NodeClass', plural: 'nodeclasses', namespaced: false },
];

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

const groupVersion = (r: Resource) => (r.group ? `${r.group}/${r.version}` : r.version);
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function resourceList(gv: string) {
  const resources = RESOURCES.filter((r) => groupVersion(r) === gv).map((r) => ({
    name: r.plural,
    singularName: r.kind.toLowerCase(),
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: VERBS,
  }));
  return resources.length > 0 ? { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources } : undefined;
}

function groupList() {
  const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))].map((name) => {
    const version = { groupVersion: groupVersion(RESOURCES.find((r) => r.group === name) as Resource), version: 'v1' };
    version.version = version.groupVersion.split('/')[1] ?? '';
    return { name, versions: [version], preferredVersion: version };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/**
 * The OpenAPI v3 index and one document per group-version, in which each kind's PATCH (found by its
 * x-kubernetes-group-version-kind) takes fieldValidation: kubectl then asks the server to validate.
 */
function openapi(gv: string | undefined) {
  const gvs = [...new Set(RESOURCES.map(groupVersion))];
  const pathOf = (v: string) => (v.includes('/') ? `apis/${v}` : `api/${v}`);
  if (gv === undefined)
    return { paths: Object.fromEntries(gvs.map((v) => [pathOf(v), { serverRelativeURL: `/openapi/v3/${pathOf(v)}` }])) };
  const match = gvs.find((v) => pathOf(v) === gv);
  if (!match) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES.filter((x) => groupVersion(x) === match)) {
    const item = `/${pathOf(match)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}/{name}`;
    paths[item] = {
      patch: {
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}

function matchesLabels(o: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return key !== undefined && o.metadata.labels?.[key] === value;
  });
}

interface Reply {
  code: number;
  value: unknown;
}
const WATCH = Symbol('watch');
const ok = (value: unknown): Reply => ({ code: 200, value });
const failure = (code: number, reason: string, message: string): Reply => ({
  code,
  value: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message },
});

export class KubeApi {
  /** What the cluster holds, by `group/kind/namespace/name`. */
  readonly objects = new Map<string, KubeObject>();
  /** Each request, as `METHOD path`: what kubectl asked of the server. */
  readonly requests: string[] = [];
  private version = 1;
  private readonly server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The objects held, as `Kind namespace/name` (or `Kind name`), sorted. */
  held(): string[] {
    return [...this.objects.values()]
      .map((o) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`)
      .sort();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? '';
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = this.answer(method, url, req.headers['content-type'] ?? '', Buffer.concat(chunks).toString('utf8'));
    if (reply === WATCH) {
      // Nothing changes once applied: a watch stays open with no events until kubectl closes it.
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      return;
    }
    res.writeHead(reply.code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(reply.value));
  }

  private answer(method: string, url: URL, contentType: string, body: string): Reply | typeof WATCH {
    const p = url.pathname.replace(/\/$/, '');
    if (p === '/version') return ok({ major: '1', minor: '32', gitVersion: 'v1.32.0' });
    if (p === '/api') return ok({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (p === '/apis') return ok(groupList());
    if (p === '/openapi/v3' || p.startsWith('/openapi/v3/')) {
      const doc = openapi(p === '/openapi/v3' ? undefined : p.slice('/openapi/v3/'.length));
      return doc ? ok(doc) : failure(404, 'NotFound', `${p} not found`);
    }
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(p);
    if (!m) return failure(404, 'NotFound', `${p} not found`);
    const [, core, group = '', version, ...rest] = m as (string | undefined)[];
    // `/api/v1/namespaces/kubecdn` is the Namespace kubecdn itself, not a collection in it.
    const [namespace, plural, name] = rest[0] !== undefined && rest[1] === undefined ? [undefined, 'namespaces', rest[0]] : rest;
    const gv = core ?? `${group}/${version ?? ''}`;
    if (plural === undefined) {
      const list = resourceList(gv);
      return list ? ok(list) : failure(404, 'NotFound', `${p} not found`);
    }
    const r = RESOURCES.find((x) => groupVersion(x) === gv && x.plural === plural);
    if (!r || (namespace !== undefined && !r.namespaced))
      return failure(404, 'NotFound', 'the server could not find the requested resource');
    if (name === undefined) {
      if (method !== 'GET') return failure(405, 'MethodNotAllowed', `${method} on a collection is not served here`);
      return url.searchParams.get('watch') === 'true' ? WATCH : ok(this.list(r, namespace, url.searchParams));
    }
    const key = `${r.group}/${r.kind}/${r.namespaced ? (namespace ?? '') : ''}/${name}`;
    const held = this.objects.get(key);
    const notFound = failure(404, 'NotFound', `${plural}${r.group ? `.${r.group}` : ''} "${name}" not found`);
    switch (method) {
      case 'GET':
        return held ? ok(held) : notFound;
      case 'DELETE':
        if (!held) return notFound;
        this.objects.delete(key);
        return ok(held);
      case 'PATCH': {
        const invalid = applyProblem(r, namespace, name, contentType, url.searchParams, body);
        if (typeof invalid !== 'string') return invalid;
        const stored = this.store(r, namespace, held, parse(body) as KubeObject);
        this.objects.set(key, stored);
        return { code: held ? 200 : 201, value: stored };
      }
      default:
        return failure(405, 'MethodNotAllowed', `${method} is not served here`);
    }
  }

  private list(r: Resource, namespace: string | undefined, query: URLSearchParams) {
    const field = query.get('fieldSelector');
    const byName = field?.startsWith('metadata.name=') ? field.slice('metadata.name='.length) : undefined;
    const items = [...this.objects.values()].filter(
      (o) =>
        o.kind === r.kind &&
        o.apiVersion === groupVersion(r) &&
        (namespace === undefined || o.metadata.namespace === namespace) &&
        (byName === undefined || o.metadata.name === byName) &&
        matchesLabels(o, query.get('labelSelector')),
    );
    return { kind: `${r.kind}List`, apiVersion: groupVersion(r), metadata: { resourceVersion: String(this.version) }, items };
  }

  /** The object as server-side apply leaves it for its only field manager: what was applied, with the server's fields. */
  private store(r: Resource, namespace: string | undefined, held: KubeObject | undefined, applied: KubeObject): KubeObject {
    this.version++;
    const generation = (held?.metadata['generation'] as number | undefined) ?? 0;
    const changed = JSON.stringify(held?.spec) !== JSON.stringify(applied.spec);
    const stored: KubeObject = {
      ...applied,
      metadata: {
        ...applied.metadata,
        ...(r.namespaced && namespace !== undefined ? { namespace } : {}),
        uid: held?.metadata['uid'] ?? `uid-${String(this.version)}`,
        resourceVersion: String(this.version),
        generation: changed ? generation + 1 : generation,
        creationTimestamp: held?.metadata['creationTimestamp'] ?? new Date().toISOString(),
      },
    };
    if (r.kind === 'Deployment') rolledOut(stored);
    return stored;
  }
}

/** Why the API server would refuse this apply request, or 'valid'. */
function applyProblem(
  r: Resource,
  namespace: string | undefined,
  name: string,
  contentType: string,
  query: URLSearchParams,
  body: string,
): Reply | 'valid' {
  if (contentType !== 'application/apply-patch+yaml') {
    return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format: ${contentType}`);
  }
  if (!query.get('fieldManager')) return failure(422, 'Invalid', 'fieldManager is required for apply requests');
  const applied = parse(body) as KubeObject;
  if (applied.kind !== r.kind || applied.apiVersion !== groupVersion(r) || applied.metadata.name !== name) {
    return failure(400, 'BadRequest', `the object in the body is not ${r.kind} ${name}`);
  }
  if (r.namespaced && applied.metadata.namespace !== undefined && applied.metadata.namespace !== namespace) {
    return failure(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  }
  return 'valid';
}

/** The status the deployment controller writes once every replica of the new revision is ready. */
function rolledOut(d: KubeObject): void {
  const spec = (d.spec ??= {});
  spec['replicas'] ??= 1; // the API server's default
  const replicas = spec['replicas'] as number;
  d['status'] = {
    observedGeneration: d.metadata['generation'],
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    conditions: [{ type: 'Available', status: 'True' }],
  };
}
