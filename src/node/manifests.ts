// kubecdn manifests: a region's final edge manifests, rendered by kustomize (kubectl kustomize)
// from manifests/ plus what the region files decide (its node pools, sizes, certificate), and
// checked against the Kubernetes schemas.
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { $ } from 'zx';
import { Namespace, ServiceAccount, ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { NodePool } from '@kubernetes-models/karpenter/karpenter.sh/v1/NodePool';
import type { Config, Region } from '../core/config.js';
import { capacityObjects, NODE_POOL_LABEL, validateNodeClass } from './capacity-manifests.js';
import { renderNginxConf } from '../core/edge/nginx.js';
import { missingEssentials } from '../core/edge/prune.js';
import { agentConfig, parseWorkspaceArn } from '../core/metrics-agent.js';
import { UsageError } from '../core/problems.js';

/** The kinds the edge is made of, each with its Kubernetes schema. */
const MODELS: Record<string, { readonly validate: (data: unknown) => void } | undefined> = {
  'v1/Namespace': { validate: (d) => new Namespace(d as never).validate() },
  'v1/ServiceAccount': { validate: (d) => new ServiceAccount(d as never).validate() },
  'v1/ConfigMap': { validate: (d) => new ConfigMap(d as never).validate() },
  'v1/Service': { validate: (d) => new Service(d as never).validate() },
  'apps/v1/Deployment': { validate: (d) => new Deployment(d as never).validate() },
  'autoscaling/v2/HorizontalPodAutoscaler': { validate: (d) => new HorizontalPodAutoscaler(d as never).validate() },
  'policy/v1/PodDisruptionBudget': { validate: (d) => new PodDisruptionBudget(d as never).validate() },
  'rbac.authorization.k8s.io/v1/Role': { validate: (d) => new Role(d as never).validate() },
  'rbac.authorization.k8s.io/v1/RoleBinding': { validate: (d) => new RoleBinding(d as never).validate() },
  'karpenter.sh/v1/NodePool': { validate: (d) => new NodePool(d as never).validate() },
  'eks.amazonaws.com/v1/NodeClass': { validate: validateNodeClass },
};

/** `<apiVersion>/<kind>` of every kind the edge may be made of. */
export const EDGE_KINDS: readonly string[] = Object.keys(MODELS);

/** The namespace manifests/base puts the edge in. */
export const EDGE_NAMESPACE = 'kubecdn';

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [key: string]: unknown;
}

export interface Rendered {
  readonly yaml: string;
  readonly objects: readonly K8sObject[];
  readonly nginxConf: string;
  /** Each object that breaks its schema, with why. */
  readonly problems: readonly string[];
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** The overlay kubecdn writes for a region: what the region files decide about its edge. */
export function regionOverlay(
  region: Region,
  source: string,
  components: { readonly dualStack?: string | undefined; readonly metricsAgent?: string | undefined },
  certificateArn: string,
): object {
  const { edge } = region.spec;
  const pools = region.spec.cluster.node_groups.map((g) => g.name);
  const used = [components.dualStack, components.metricsAgent].filter((c): c is string => c !== undefined);
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [source, 'capacity.yaml'],
    ...(used.length ? { components: used } : {}),
    labels: [{ pairs: { 'kubecdn/region': region.region }, includeSelectors: false }],
    // In the edge's namespace, so that kustomize points the Deployments at the generated names (and
    // a new nginx.conf or agent configuration rolls the pods).
    configMapGenerator: [
      { name: 'edge-nginx', namespace: EDGE_NAMESPACE, files: ['nginx.conf'] },
      ...(components.metricsAgent ? [{ name: 'metrics-agent', namespace: EDGE_NAMESPACE, files: ['prometheus.yml'] }] : []),
    ],
    patches: [
      {
        target: { kind: 'HorizontalPodAutoscaler', name: 'edge' },
        patch: stringify([
          { op: 'replace', path: '/spec/minReplicas', value: edge.min_replicas },
          { op: 'replace', path: '/spec/maxReplicas', value: edge.max_replicas },
        ]),
      },
      {
        target: { kind: 'Deployment', name: 'edge' },
        patch: stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'edge' },
          spec: {
            template: {
              spec: {
                // Only on the region's node pools, whose disks hold the cache (kubecdn validate
                // checks), never on Auto Mode's system pool.
                affinity: {
                  nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                      nodeSelectorTerms: [{ matchExpressions: [{ key: NODE_POOL_LABEL, operator: 'In', values: pools }] }],
                    },
                  },
                },
                // The pod asks for the disk its cache may fill, so it lands on a node that has it.
                containers: [{ name: 'nginx', resources: { requests: { 'ephemeral-storage': edge.cache_size } } }],
                volumes: [{ name: 'cache', emptyDir: { sizeLimit: edge.cache_size } }],
              },
            },
          },
        }),
      },
      {
        // The load balancer terminates TLS on 443 with the region's certificate.
        target: { kind: 'Service', name: 'edge' },
        patch: stringify([
          { op: 'add', path: '/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-ssl-cert', value: certificateArn },
        ]),
      },
    ],
  };
}

export interface RenderOptions {
  /** The certificate the stack made (its certificate_arn output); edge.certificate_arn wins. */
  readonly certificateArn?: string;
  /** The demand workspace (the stack's metrics_workspace_arn output): with it, the metrics agent. */
  readonly metricsWorkspaceArn?: string;
}

export async function renderManifests(manifests: string, config: Config, region: Region, options: RenderOptions = {}): Promise<Rendered> {
  const certificateArn = region.spec.edge.certificate_arn ?? options.certificateArn;
  if (!certificateArn)
    throw new UsageError(
      `no certificate for ${region.region}'s load balancer: apply the region's stack first (kubecdn tf apply writes its certificate_arn), pass --certificate-arn, or set edge.certificate_arn`,
    );
  const workspace = options.metricsWorkspaceArn ? parseWorkspaceArn(options.metricsWorkspaceArn) : undefined;
  const own = path.join(manifests, 'regions', region.region);
  const base = path.join(manifests, 'base');
  if (!(await exists(base))) throw new UsageError(`no ${base}: the edge manifests start from manifests/base`);
  const work = await mkdtemp(path.join(tmpdir(), `kubecdn-${region.region}-`));
  // kustomize takes resources by relative path only.
  const source = path.relative(work, (await exists(own)) ? own : base);
  const component = (name: string) => path.relative(work, path.join(manifests, 'components', name));
  const dualStack = region.spec.edge.dual_stack ? component('dual-stack') : undefined;
  const metricsAgent = workspace ? component('metrics-agent') : undefined;
  if (workspace) await writeFile(path.join(work, 'prometheus.yml'), agentConfig(workspace, EDGE_NAMESPACE));
  const nginxConf = renderNginxConf(config, region);
  await writeFile(path.join(work, 'nginx.conf'), nginxConf);
  await writeFile(
    path.join(work, 'capacity.yaml'),
    capacityObjects(config, region)
      .map((o) => stringify(o))
      .join('---\n'),
  );
  await writeFile(
    path.join(work, 'kustomization.yaml'),
    stringify(regionOverlay(region, source, { dualStack, metricsAgent }, certificateArn)),
  );
  const out = await $({ quiet: true, verbose: false, nothrow: true })`kubectl kustomize ${work}`;
  if (out.exitCode !== 0) throw new Error(`kubectl kustomize failed for ${region.region}: ${out.stderr.trim()}`);
  const objects = parseAllDocuments(out.stdout)
    .map((d) => d.toJS() as K8sObject)
    .filter(Boolean);
  // Named by the overlay that made the render: the region's own, or base where it has none.
  const overlay = path.join(path.basename(manifests), path.relative(manifests, (await exists(own)) ? own : base), 'kustomization.yaml');
  const partial = missingEssentials(objects, EDGE_NAMESPACE).map(
    (name) => `${overlay}: ${name} is not in the render: the overlay must build on ../../base and keep namespace ${EDGE_NAMESPACE}`,
  );
  return { yaml: out.stdout, objects, nginxConf, problems: [...partial, ...validateObjects(objects)] };
}

export function validateObjects(objects: readonly K8sObject[]): string[] {
  return objects.flatMap((o) => {
    const name = `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
    const model = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!model) return [`${name}: no schema for ${o.apiVersion} ${o.kind}; the edge uses ${Object.keys(MODELS).join(', ')}`];
    try {
      model.validate(o);
      return [];
    } catch (error) {
      return [`${name}: ${(error as Error).message}`];
    }
  });
}
