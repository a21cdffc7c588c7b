// The cluster capacity the edge runs on, as EKS Auto Mode objects: one NodeClass and one NodePool
// for each of the region's node groups (regionCapacity), rendered with the edge's manifests.
import { Ajv } from 'ajv';
import type { Config, Region } from '../core/config.js';
import { regionCapacity, type NodePoolCapacity } from '../core/capacity.js';
import { clusterName, nodeRoleName } from '../core/terraform.js';
import type { K8sObject } from './manifests.js';

/** Labels every node pool's nodes carry, and the edge's pods require. */
export const NODE_POOL_LABEL = 'karpenter.sh/nodepool';

export function capacityObjects(config: Config, region: Region): K8sObject[] {
  const owner = config.cdn.owner_id;
  return regionCapacity(region).nodePools.flatMap((pool) => [nodeClass(owner, region.region, pool), nodePool(pool)]);
}

function nodeClass(owner: string, region: string, pool: NodePoolCapacity): K8sObject {
  return {
    apiVersion: 'eks.amazonaws.com/v1',
    kind: 'NodeClass',
    metadata: { name: pool.name, labels: { 'app.kubernetes.io/part-of': 'kubecdn' } },
    spec: {
      // The node role and the subnets the stack makes (terraform/main.tf), found by name and tags.
      role: nodeRoleName(owner, region),
      subnetSelectorTerms: [{ tags: { 'kubernetes.io/role/internal-elb': '1', 'kubecdn/owner': owner, 'kubecdn/region': region } }],
      securityGroupSelectorTerms: [{ tags: { 'aws:eks:cluster-name': clusterName(owner, region) } }],
      // Each edge pod asks for its whole cache: the node's disk holds it (kubecdn validate checks).
      ephemeralStorage: { size: `${pool.diskGiB}Gi` },
    },
  };
}

function nodePool(pool: NodePoolCapacity): K8sObject {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: pool.name, labels: { 'app.kubernetes.io/part-of': 'kubecdn' } },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: 'eks.amazonaws.com', kind: 'NodeClass', name: pool.name },
          requirements: [
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: [...pool.instanceTypes] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: [pool.capacityType] },
          ],
        },
      },
      // Karpenter limits a pool by resources, not nodes: max_size nodes of its largest type.
      limits: { cpu: String(pool.maxNodes * pool.maxVcpusPerNode) },
    },
  };
}

/**
 * The NodeClass as the EKS user guide specifies it (eks.amazonaws.com/v1, "Node Class
 * Specification"): no published package models it, so its documented fields and ranges are
 * written out here.
 */
const NODE_CLASS_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    metadata: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$', not: { const: 'default' } } },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['role', 'subnetSelectorTerms', 'securityGroupSelectorTerms'],
      properties: {
        role: { type: 'string', minLength: 1, maxLength: 64 },
        subnetSelectorTerms: { type: 'array', minItems: 1, items: { $ref: '#/$defs/selector' } },
        securityGroupSelectorTerms: { type: 'array', minItems: 1, items: { $ref: '#/$defs/selector' } },
        snatPolicy: { enum: ['Random', 'Disabled'] },
        networkPolicy: { enum: ['DefaultAllow', 'DefaultDeny'] },
        networkPolicyEventLogs: { enum: ['Enabled', 'Disabled'] },
        ephemeralStorage: {
          type: 'object',
          additionalProperties: false,
          properties: {
            size: { type: 'string', pattern: '^([1-9][0-9]{0,3}|[1-4][0-9]{4}|5[0-8][0-9]{3}|59000)Gi$' },
            iops: { type: 'integer', minimum: 3000, maximum: 16000 },
            throughput: { type: 'integer', minimum: 125, maximum: 1000 },
            kmsKeyID: { type: 'string' },
          },
        },
        tags: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
  $defs: {
    selector: {
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      properties: {
        tags: { type: 'object', minProperties: 1, additionalProperties: { type: 'string' } },
        id: { type: 'string' },
        name: { type: 'string' },
      },
    },
  },
} as const;

const validateNodeClassSchema = new Ajv({ allErrors: true }).compile(NODE_CLASS_SCHEMA);

export function validateNodeClass(data: unknown): void {
  if (validateNodeClassSchema(data)) return;
  const errors = (validateNodeClassSchema.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is not valid'}`);
  throw new Error(errors.join('; '));
}
