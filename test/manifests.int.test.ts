import { cpSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { region, regionDir } from './fixtures.js';
import { kubecdn, ROOT } from './run.js';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IConfigMap, IService } from 'kubernetes-models/v1';

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

const render = (args: string[], cwd = ROOT) => kubecdn(['manifests', ...args], { cwd });
const objects = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS() as Obj);
/** List entries in name order: kustomize's merges do not keep the order of the files. */
const byName = <T extends { name?: string }>(list: readonly T[] = []) =>
  [...list].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
interface Kinds {
  Deployment: IDeployment;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  ConfigMap: IConfigMap;
  Service: IService;
}

function find<K extends keyof Kinds>(all: Obj[], kind: K, prefix = ''): Kinds[K] {
  const found = all.find((o) => o.kind === kind && o.metadata.name.startsWith(prefix));
  if (!found) throw new Error(`no ${kind} rendered`);
  return found as unknown as Kinds[K];
}

const STACK_CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';
const WORKSPACE = 'arn:aws:aps:eu-west-1:123456789012:workspace/ws-0a1b2c3d-1111-2222-3333-444455556666';

describe('kubecdn manifests', () => {
  it('renders the shipped us-east-1 edge: its sizes from the region files, its overlay, and a ConfigMap the Deployment uses', () => {
    const ran = render(['--region', 'us-east-1', '--certificate-arn', STACK_CERTIFICATE]);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const all = objects(ran.stdout);
    expect(all.map((o) => o.kind).sort()).toEqual([
      'ConfigMap',
      'ConfigMap',
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Namespace',
      'NodeClass',
      'NodePool',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    // No demand workspace given, no metrics agent.
    expect(all.filter((o) => o.metadata.name.startsWith('metrics-'))).toEqual([]);
    const clusterScoped = ['Namespace', 'NodeClass', 'NodePool'];
    for (const o of all.filter((x) => !clusterScoped.includes(x.kind))) expect(o.metadata.namespace).toBe('kubecdn');
    for (const o of all) expect(o.metadata.labels?.['kubecdn/region']).toBe('us-east-1');
    const hpa = find(all, 'HorizontalPodAutoscaler');
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 12]);
    const deployment = find(all, 'Deployment');
    const pod = deployment.spec?.template.spec;
    const configMap = find(all, 'ConfigMap', 'edge-nginx-');
    expect(configMap.metadata?.name).toMatch(/^edge-nginx-[a-z0-9]{10}$/);
    expect(byName(pod?.volumes)).toEqual([
      { name: 'access-log', emptyDir: { sizeLimit: '256Mi' } },
      { name: 'cache', emptyDir: { sizeLimit: '50Gi' } },
      { name: 'config', configMap: { name: configMap.metadata?.name } },
      { name: 'mtail', configMap: { name: find(all, 'ConfigMap', 'edge-mtail-').metadata?.name } },
      { name: 'near', configMap: { name: find(all, 'ConfigMap', 'edge-near-').metadata?.name } },
      { name: 'scratch', emptyDir: { sizeLimit: '256Mi' } },
    ]);
    expect(pod?.containers[0]?.resources).toEqual({
      requests: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '50Gi' },
      limits: { memory: '1Gi' },
    });
    expect(pod?.containers[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(configMap.data?.['nginx.conf']).toContain('proxy_cache_path /var/cache/kubecdn levels=1:2 keys_zone=edge:64m max_size=46080m');
    expect(configMap.data?.['nginx.conf']).toContain('add_header X-Edge-Region us-east-1 always;');
    const service = find(all, 'Service');
    expect(service.spec?.loadBalancerClass).toBe('eks.amazonaws.com/nlb');
    expect(byName(service.spec?.ports)).toEqual([
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'https', port: 443, targetPort: 'http' },
    ]);
    expect(service.metadata?.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': STACK_CERTIFICATE,
      'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes':
        'deregistration_delay.timeout_seconds=15,preserve_client_ip.enabled=true',
    });
    expect(pod?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['edge'] }] },
    ]);
  });

  it('lets the kubecdn:purge group only read pods and port-forward to them, in the kubecdn namespace', () => {
    const ran = render(['--region', 'us-east-1', '--certificate-arn', STACK_CERTIFICATE]);
    expect(ran.code).toBe(0);
    const all = objects(ran.stdout) as (Obj & { rules?: unknown; roleRef?: unknown; subjects?: unknown })[];
    const role = all.find((o) => o.kind === 'Role' && o.metadata.name === 'purge');
    const binding = all.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'purge');
    expect(role?.metadata.namespace).toBe('kubecdn');
    expect(role?.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] },
    ]);
    expect(binding?.metadata.namespace).toBe('kubecdn');
    expect(binding?.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'purge' });
    expect(binding?.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'kubecdn:purge' }]);
    // Nothing else in the edge names the group: these are its only rights in the cluster.
    const naming = all.filter((o) => JSON.stringify(o).includes('kubecdn:purge'));
    expect(naming.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['RoleBinding/purge']);
  });

  it('renders a NodeClass and a NodePool for each node group, from the region files', () => {
    const ran = render(['--region', 'ap-southeast-1', '--certificate-arn', STACK_CERTIFICATE.replace('us-east-1', 'ap-southeast-1')]);
    expect(ran.stderr).toBe('');
    const all = objects(ran.stdout);
    expect(all.filter((o) => o.kind === 'NodeClass').map((o) => [o.metadata.name, o.spec])).toEqual([
      [
        'edge',
        {
          role: 'kubecdn-example-ap-southeast-1-node',
          subnetSelectorTerms: [
            { tags: { 'kubernetes.io/role/internal-elb': '1', 'kubecdn/owner': 'kubecdn-example', 'kubecdn/region': 'ap-southeast-1' } },
          ],
          securityGroupSelectorTerms: [{ tags: { 'aws:eks:cluster-name': 'kubecdn-example-ap-southeast-1' } }],
          ephemeralStorage: { size: '80Gi' },
        },
      ],
      ['edge-spot', expect.objectContaining({ ephemeralStorage: { size: '80Gi' } })],
    ]);
    expect(all.filter((o) => o.kind === 'NodePool').map((o) => [o.metadata.name, o.spec])).toEqual([
      [
        'edge',
        {
          limits: { cpu: '16' },
          template: {
            spec: {
              nodeClassRef: { group: 'eks.amazonaws.com', kind: 'NodeClass', name: 'edge' },
              requirements: [
                { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['c7i.large', 'c6i.large'] },
                { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
              ],
            },
          },
        },
      ],
      ['edge-spot', expect.objectContaining({ limits: { cpu: '16' } })],
    ]);
  });

  it("uses the certificate the stack's last apply recorded, and refuses to render without one", () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kubecdn-manifests-'));
    cpSync(path.join(ROOT, 'manifests'), path.join(root, 'manifests'), { recursive: true });
    renameSync(regionDir({}), path.join(root, 'regions'));
    const without = render(['--region', 'us-east-1'], root);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain("no certificate for us-east-1's load balancer");
    mkdirSync(path.join(root, '.kubecdn/plans/us-east-1'), { recursive: true });
    writeFileSync(
      path.join(root, '.kubecdn/plans/us-east-1/outputs.json'),
      JSON.stringify({ certificate_arn: { sensitive: false, type: 'string', value: STACK_CERTIFICATE } }),
    );
    const ran = render(['--region', 'us-east-1'], root);
    expect(ran.code).toBe(0);
    expect(find(objects(ran.stdout), 'Service').metadata?.annotations?.['service.beta.kubernetes.io/aws-load-balancer-ssl-cert']).toBe(
      STACK_CERTIFICATE,
    );
  });

  it("adds the metrics agent for the stack's demand workspace: its Deployment, ServiceAccount, Role and configuration", () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kubecdn-manifests-'));
    cpSync(path.join(ROOT, 'manifests'), path.join(root, 'manifests'), { recursive: true });
    renameSync(regionDir({}), path.join(root, 'regions'));
    mkdirSync(path.join(root, '.kubecdn/plans/us-east-1'), { recursive: true });
    // As terraform output writes it: the stack in us-east-1, the workspace in eu-west-1.
    writeFileSync(
      path.join(root, '.kubecdn/plans/us-east-1/outputs.json'),
      JSON.stringify({
        certificate_arn: { sensitive: false, type: 'string', value: STACK_CERTIFICATE },
        metrics_workspace_arn: { sensitive: false, type: 'string', value: WORKSPACE },
      }),
    );
    const ran = render(['--region', 'us-east-1'], root);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const all = objects(ran.stdout) as (Obj & { rules?: unknown; roleRef?: unknown; subjects?: unknown })[];
    const agent = all.filter((o) => o.metadata.name.startsWith('metrics-agent'));
    expect(agent.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Role', 'RoleBinding', 'ServiceAccount']);
    for (const o of agent) {
      expect(o.metadata.namespace).toBe('kubecdn');
      // Labelled as the edge is, so apply.yml's prune removes it once the workspace is unset.
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'kubecdn', 'kubecdn/region': 'us-east-1' });
    }
    // The ServiceAccount the stack's Pod Identity association names (terraform/metrics.tf).
    const deployment = find(all, 'Deployment', 'metrics-agent');
    const pod = deployment.spec?.template.spec;
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.spec?.strategy).toEqual({ type: 'Recreate' });
    expect(pod?.serviceAccountName).toBe('metrics-agent');
    expect(pod?.containers[0]?.image).toBe('quay.io/prometheus/prometheus:v3.8.1');
    expect(pod?.containers[0]?.args).toContain('--agent');
    expect(pod?.nodeSelector).toEqual({ 'karpenter.sh/nodepool': 'system' });
    expect(pod?.tolerations).toEqual([{ key: 'CriticalAddonsOnly', operator: 'Exists' }]);
    const config = find(all, 'ConfigMap', 'metrics-agent-');
    expect(pod?.volumes?.find((v) => v.name === 'config')?.configMap?.name).toBe(config.metadata?.name);
    const prometheus = parse(config.data?.['prometheus.yml'] ?? '') as {
      scrape_configs: { kubernetes_sd_configs: unknown; relabel_configs: unknown[]; metric_relabel_configs: unknown }[];
      remote_write: unknown;
    };
    expect(prometheus.scrape_configs[0]?.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['kubecdn'] } }]);
    expect(prometheus.scrape_configs[0]?.relabel_configs[0]).toEqual({
      source_labels: ['__meta_kubernetes_pod_container_port_name'],
      regex: 'metrics',
      action: 'keep',
    });
    const keep = [{ source_labels: ['__name__'], regex: 'kubecdn_requests_total', action: 'keep' }];
    expect(prometheus.scrape_configs[0]?.metric_relabel_configs).toEqual(keep);
    expect(prometheus.remote_write).toEqual([
      {
        url: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0a1b2c3d-1111-2222-3333-444455556666/api/v1/remote_write',
        sigv4: { region: 'eu-west-1' },
        write_relabel_configs: keep,
      },
    ]);
    // The edge's mtail port the agent keeps is the one the edge pods name "metrics".
    const edge = find(all, 'Deployment', 'edge');
    const ports = edge.spec?.template.spec?.containers.flatMap((c) => c.ports ?? []);
    expect(ports).toContainEqual({ name: 'metrics', containerPort: 3903 });
    const role = all.find((o) => o.kind === 'Role' && o.metadata.name === 'metrics-agent');
    expect(role?.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    const binding = all.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'metrics-agent');
    expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'metrics-agent', namespace: 'kubecdn' }]);
  });

  it('refuses a demand workspace that is not a workspace ARN, rendering nothing', () => {
    const ran = render([
      '--region',
      'us-east-1',
      '--certificate-arn',
      STACK_CERTIFICATE,
      '--metrics-workspace-arn',
      'arn:aws:aps:eu-west-1:123456789012:rulegroupsnamespace/ws-1/rules',
    ]);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain(
      'not a Prometheus workspace ARN in the aws partition: arn:aws:aps:eu-west-1:123456789012:rulegroupsnamespace/ws-1/rules',
    );
  });

  it('adds HTTPS with the region certificate', () => {
    const arn = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';
    const dir = regionDir({
      scalable: `regions:\n${region('eu-west-1', { enabled: true }).replace('cache_size: 10Gi', `cache_size: 10Gi\n      certificate_arn: ${arn}`)}`,
    });
    const ran = render(['--region', 'eu-west-1', '--dir', dir, '--manifests', path.join(ROOT, 'manifests')]);
    expect(ran.code).toBe(0);
    const service = find(objects(ran.stdout), 'Service');
    expect(service.metadata?.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': arn,
      'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',
    });
    expect(byName(service.spec?.ports)).toEqual([
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'https', port: 443, targetPort: 'http' },
    ]);
  });

  it('refuses a dual-stack edge, which the IPv4-only VPC cannot give, rendering nothing', () => {
    const dir = regionDir({
      scalable: `regions:\n${region('eu-west-1', { enabled: true }).replace('cache_size: 10Gi', 'cache_size: 10Gi\n      dual_stack: true')}`,
    });
    const ran = render(['--region', 'eu-west-1', '--dir', dir, '--manifests', path.join(ROOT, 'manifests')]);
    expect(ran.code).not.toBe(0);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain('scalable.yaml:15:19');
    expect(ran.stderr).toContain('dual_stack: true is not supported');
  });

  it('refuses, with exit 1, an object that breaks its Kubernetes schema', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kubecdn-manifests-'));
    cpSync(path.join(ROOT, 'manifests'), path.join(root, 'manifests'), { recursive: true });
    renameSync(regionDir({}), path.join(root, 'regions'));
    writeFileSync(
      path.join(root, 'manifests/regions/us-east-1/kustomization.yaml'),
      'resources: [../../base]\npatches:\n  - target: {kind: Deployment, name: edge}\n    patch: |-\n      - op: replace\n        path: /spec/template/spec/containers/0/resources/limits/memory\n        value: lots\n',
    );
    const ran = render(['--region', 'us-east-1', '--certificate-arn', STACK_CERTIFICATE], root);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toMatch(/^kubecdn manifests: Deployment kubecdn\/edge: .*resources\/limits\/memory must match format "quantity"/);
  });
});

describe('kubecdn manifests, against an overlay that is not the edge', () => {
  it("refuses, with exit 1 and nothing printed, a render without the edge's Deployment and Service", () => {
    // An overlay that leaves out base renders only the generated ConfigMaps and the node pools:
    // applied and pruned against, it would delete the edge and, with its Service, the load balancer.
    const root = mkdtempSync(path.join(tmpdir(), 'kubecdn-manifests-'));
    cpSync(path.join(ROOT, 'manifests'), path.join(root, 'manifests'), { recursive: true });
    renameSync(regionDir({}), path.join(root, 'regions'));
    writeFileSync(path.join(root, 'manifests/regions/us-east-1/kustomization.yaml'), 'resources: []\n');
    const ran = render(['--region', 'us-east-1', '--certificate-arn', STACK_CERTIFICATE], root);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain(
      'kubecdn manifests: manifests/regions/us-east-1/kustomization.yaml: Deployment kubecdn/edge is not in the render: the overlay must build on ../../base and keep namespace kubecdn',
    );
    expect(ran.stderr).toContain(
      'kubecdn manifests: manifests/regions/us-east-1/kustomization.yaml: Service kubecdn/edge is not in the render',
    );
  });
});

describe('kubecdn prune', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-prune-'));
  const list = (items: readonly object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } });

  it("prints the metrics agent's objects, for kubectl delete, once the workspace is unset, and nothing else", () => {
    const withAgent = render(['--region', 'us-east-1', '--certificate-arn', STACK_CERTIFICATE, '--metrics-workspace-arn', WORKSPACE]);
    const withoutAgent = render(['--region', 'us-east-1', '--certificate-arn', STACK_CERTIFICATE]);
    expect(withAgent.code).toBe(0);
    expect(withoutAgent.code).toBe(0);
    writeFileSync(path.join(dir, 'edge.yaml'), withoutAgent.stdout);
    // The cluster as the last apply left it, as kubectl get lists it: the edge with its agent,
    // beside what kubeCDN does not own.
    const foreign = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: 'kubecdn' } },
      { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'general-purpose', labels: {} } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'metrics-agent', namespace: 'monitoring', labels: { 'app.kubernetes.io/part-of': 'kubecdn' } },
      },
    ];
    writeFileSync(path.join(dir, 'live.json'), list([...objects(withAgent.stdout), ...foreign]));
    const ran = kubecdn(['prune', '--rendered', 'edge.yaml', '--live', 'live.json'], { cwd: dir });
    expect(ran.code).toBe(0);
    expect(ran.stdout.trim().split('\n').sort()).toEqual([
      expect.stringMatching(/^configmaps\/metrics-agent-[a-z0-9]+$/),
      'deployments.apps/metrics-agent',
      'rolebindings.rbac.authorization.k8s.io/metrics-agent',
      'roles.rbac.authorization.k8s.io/metrics-agent',
      'serviceaccounts/metrics-agent',
    ]);
    expect(ran.stderr).toBe(`kubecdn prune: 5 of ${objects(withAgent.stdout).length + foreign.length} live objects no longer rendered\n`);
    // The same render live: nothing to delete, and nothing printed for kubectl.
    writeFileSync(path.join(dir, 'same.json'), list(objects(withoutAgent.stdout)));
    const same = kubecdn(['prune', '--rendered', 'edge.yaml', '--live', 'same.json'], { cwd: dir });
    expect(same.code).toBe(0);
    expect(same.stdout).toBe('');
  });

  it('refuses an empty render, which would delete the whole edge, printing nothing to delete', () => {
    writeFileSync(path.join(dir, 'empty.yaml'), '');
    writeFileSync(
      path.join(dir, 'live.json'),
      list([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'edge', namespace: 'kubecdn' } }]),
    );
    const ran = kubecdn(['prune', '--rendered', 'empty.yaml', '--live', 'live.json'], { cwd: dir });
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain("the render holds none of the edge's objects");
  });
});
