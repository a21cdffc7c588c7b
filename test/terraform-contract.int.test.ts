// The contract between the edge and the cluster, read from both sides: every capability the
// rendered edge manifests rely on (kubecdn manifests, through kubectl kustomize, for every shipped
// region) is one the region stack provides (terraform/*.tf, parsed with Terraform's own HCL
// parser). What the stack then really plans is held by terraform-provider.int.test.ts against
// the AWS provider; what EKS does with each setting is the EKS user guide's (Auto Mode load
// balancing, node classes and pools, community add-ons).
import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cacheRoomGiB } from '../src/core/capacity.js';
import { loadConfig, type Config } from '../src/core/config.js';
import { desiredState } from '../src/core/dns/desired.js';
import { quantityBytes } from '../src/core/edge/nginx.js';
import { readRegionDir } from '../src/node/region-dir.js';
import { TODAY } from './fixtures.js';
import { kubecdn, ROOT } from './run.js';

type Block = Record<string, unknown>;
interface Stack {
  resource: Record<string, Record<string, Block[]>>;
  locals: Block[];
  output: Record<string, Block[]>;
  provider: Record<string, Block[]>;
}

interface Obj {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

const STACK_CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';

async function stack(): Promise<Stack> {
  const merged: Stack = { resource: {}, locals: [], output: {}, provider: {} };
  const dir = path.join(ROOT, 'terraform');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const json = (await parse(file, readFileSync(path.join(dir, file), 'utf8'))) as Partial<Stack>;
    for (const [type, byName] of Object.entries(json.resource ?? {})) merged.resource[type] = { ...merged.resource[type], ...byName };
    merged.locals.push(...(json.locals ?? []));
    Object.assign(merged.output, json.output ?? {});
    Object.assign(merged.provider, json.provider ?? {});
  }
  return merged;
}

const one = (blocks: unknown): Block => (blocks as Block[])[0] ?? {};
const local = (s: Stack, name: string): unknown => s.locals.find((l) => name in l)?.[name];

/** A name template of the stack ("${local.name}-node") with the region's variables put in. */
function expand(s: Stack, template: string, vars: { owner_id: string; region: string }): string {
  const name = String(local(s, 'name')).replace('${var.owner_id}', vars.owner_id).replace('${var.region}', vars.region);
  return template.replace('${local.name}', name);
}

describe('every cluster capability the edge relies on is provided by the stack', () => {
  let tf: Stack;
  let config: Config;
  const rendered = new Map<string, Obj[]>();

  beforeAll(async () => {
    tf = await stack();
    const loaded = loadConfig(await readRegionDir(path.join(ROOT, 'regions'), ROOT), { today: TODAY });
    if (!loaded.config) throw new Error('the shipped region files are invalid');
    config = loaded.config;
    for (const r of config.regions) {
      const arn = `arn:aws:acm:${r.region}:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666`;
      const ran = kubecdn(['manifests', '--region', r.region, '--certificate-arn', arn]);
      if (ran.code !== 0) throw new Error(`${r.region}: ${ran.stderr}`);
      rendered.set(
        r.region,
        parseAllDocuments(ran.stdout).map((d) => d.toJS() as Obj),
      );
    }
  }, 300_000);

  const of = (region: string, kind: string) => (rendered.get(region) ?? []).filter((o) => o.kind === kind);

  it('the Service load balancer class: EKS Auto Mode with its load balancing on', () => {
    const cluster = one(tf.resource['aws_eks_cluster']?.['this']);
    expect(one(cluster['compute_config'])['enabled']).toBe(true);
    expect(one(one(cluster['kubernetes_network_config'])['elastic_load_balancing'])['enabled']).toBe(true);
    for (const r of config.regions) {
      for (const service of of(r.region, 'Service')) expect(service.spec['loadBalancerClass'], r.region).toBe('eks.amazonaws.com/nlb');
    }
  });

  it('the load balancer subnets: public ones tagged for internet-facing load balancers', () => {
    const publicTags = one(tf.resource['aws_subnet']?.['public'])['tags'] as Record<string, string>;
    expect(publicTags['kubernetes.io/role/elb']).toBe('1');
    for (const r of config.regions) {
      for (const service of of(r.region, 'Service'))
        expect(service.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe('internet-facing');
    }
  });

  it("the metrics agent's AWS identity: the Pod Identity association names the ServiceAccount its Deployment runs as, on system nodes", () => {
    const arn = 'arn:aws:aps:eu-west-1:123456789012:workspace/ws-0a1b2c3d-1111-2222-3333-444455556666';
    const ran = kubecdn(['manifests', '--region', 'us-east-1', '--certificate-arn', STACK_CERT, '--metrics-workspace-arn', arn]);
    expect(ran.code).toBe(0);
    const all = parseAllDocuments(ran.stdout).map((d) => d.toJS() as Obj & { metadata: { namespace?: string } });
    const deployment = all.find((o) => o.kind === 'Deployment' && o.metadata.name === 'metrics-agent');
    const pod = (deployment?.spec['template'] as { spec: { serviceAccountName: string; nodeSelector: Record<string, string> } }).spec;
    const association = one(tf.resource['aws_eks_pod_identity_association']?.['metrics_agent']);
    expect(association['namespace']).toBe('${local.metrics_agent_namespace}');
    expect(association['service_account']).toBe('${local.metrics_agent_service_account}');
    expect(local(tf, 'metrics_agent_namespace')).toBe(deployment?.metadata.namespace);
    expect(local(tf, 'metrics_agent_service_account')).toBe(pod.serviceAccountName);
    expect(all.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.serviceAccountName)).toBe(true);
    // Auto Mode's built-in system pool, which the cluster turns on.
    const cluster = one(tf.resource['aws_eks_cluster']?.['this']);
    expect(one(cluster['compute_config'])['node_pools']).toContain(pod.nodeSelector['karpenter.sh/nodepool']);
  });

  it('the metrics API the HorizontalPodAutoscaler reads: the metrics-server add-on', () => {
    const addons = Object.values(tf.resource['aws_eks_addon'] ?? {}).map((b) => one(b)['addon_name']);
    for (const r of config.regions) {
      for (const hpa of of(r.region, 'HorizontalPodAutoscaler')) {
        const metrics = hpa.spec['metrics'] as { type: string }[];
        if (metrics.some((m) => m.type === 'Resource')) expect(addons).toContain('metrics-server');
      }
    }
  });

  it("the node pools: each NodeClass names the stack's node role, subnets and the cluster's security group", () => {
    const nodeRole = String(one(tf.resource['aws_iam_role']?.['node'])['name']);
    const clusterName = String(one(tf.resource['aws_eks_cluster']?.['this'])['name']);
    const privateTags = {
      ...(one(tf.resource['aws_subnet']?.['private'])['tags'] as Record<string, string>),
      ...(local(tf, 'tags') as Record<string, string>),
    };
    // Default tags of the provider put local.tags on every subnet.
    expect(JSON.stringify(one(tf.provider['aws'])['default_tags'])).toContain('local.tags');
    for (const r of config.regions) {
      const vars = { owner_id: config.cdn.owner_id, region: r.region };
      const stackTags = Object.fromEntries(
        Object.entries(privateTags).map(([k, v]) => [k, v.replace('${var.owner_id}', vars.owner_id).replace('${var.region}', vars.region)]),
      );
      const classes = of(r.region, 'NodeClass');
      expect(classes.map((c) => c.metadata.name).sort()).toEqual(r.spec.cluster.node_groups.map((g) => g.name).sort());
      for (const c of classes) {
        expect(c.spec['role'], r.region).toBe(expand(tf, nodeRole, vars));
        for (const term of c.spec['subnetSelectorTerms'] as { tags: Record<string, string> }[])
          for (const [k, v] of Object.entries(term.tags)) expect(stackTags[k], `${r.region} subnet tag ${k}`).toBe(v);
        // EKS tags the cluster security group it makes with aws:eks:cluster-name.
        expect(c.spec['securityGroupSelectorTerms']).toEqual([{ tags: { 'aws:eks:cluster-name': expand(tf, clusterName, vars) } }]);
      }
    }
  });

  it('the ephemeral storage the cache asks for: every node pool the edge may use holds it', () => {
    for (const r of config.regions) {
      const deployment = of(r.region, 'Deployment')[0];
      const pod = (deployment?.spec['template'] as { spec: Record<string, unknown> }).spec;
      const container = (pod['containers'] as { resources: { requests: Record<string, string> } }[])[0];
      const asks = quantityBytes(container?.resources.requests['ephemeral-storage'] ?? '') / 2 ** 30;
      const affinity = pod['affinity'] as {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: { matchExpressions: { values: string[] }[] }[] };
        };
      };
      const pools =
        affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]?.matchExpressions[0]?.values ?? [];
      expect(pools.length).toBeGreaterThan(0);
      for (const name of pools) {
        const pool = of(r.region, 'NodePool').find((p) => p.metadata.name === name);
        const ref = (pool?.spec['template'] as { spec: { nodeClassRef: { name: string } } }).spec.nodeClassRef.name;
        const nodeClass = of(r.region, 'NodeClass').find((c) => c.metadata.name === ref);
        const size = (nodeClass?.spec['ephemeralStorage'] as { size: string }).size;
        // Figures written out from the published definition, not the rule's own function: the
        // kubelet's allocatable ephemeral storage is its capacity less the hard eviction threshold
        // (nodefs.available<10%, the kubelet default: kubernetes.io/docs/concepts/scheduling-eviction/
        // node-pressure-eviction/#hard-eviction-thresholds) and less what the node reserves; the
        // reserve here is the 20 GiB the README gives for images, logs and the edge's scratch volume.
        const sizeGiB = quantityBytes(size) / 2 ** 30;
        const allocatableGiB = sizeGiB - 0.1 * sizeGiB - 20;
        expect(asks, `${r.region} pool ${name}`).toBeLessThanOrEqual(allocatableGiB);
        // And the rule is never laxer than that.
        expect(cacheRoomGiB(sizeGiB)).toBeLessThanOrEqual(allocatableGiB);
      }
    }
  });

  it("the health check's port and protocol: one the Service serves, with TLS where HTTPS is checked", () => {
    // The health checks sync-dns would make, for every serving region.
    const targets = Object.fromEntries(
      config.regions.map((r) => [r.region, { dnsName: `edge-${r.region}.elb.${r.region}.amazonaws.com`, hostedZoneId: 'Z0NLB' }]),
    );
    const checks = desiredState({ config, targets }).healthChecks;
    expect(checks.length).toBeGreaterThan(0);
    for (const check of checks) {
      const r = { region: check.region };
      const service = of(r.region, 'Service')[0];
      const ports = (service?.spec['ports'] as { port: number }[]).map((p) => p.port);
      expect(ports, r.region).toContain(check.port);
      const tlsPorts = (service?.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-ssl-ports'] ?? '').split(',');
      expect(tlsPorts.includes(String(check.port)), r.region).toBe(check.protocol === 'HTTPS');
      if (check.protocol === 'HTTPS')
        expect(service?.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-ssl-cert']).toMatch(/^arn:aws:acm:/);
    }
    // The certificate the Service serves comes from the stack's output after each apply.
    expect(tf.output['certificate_arn']).toBeDefined();
  });
});
