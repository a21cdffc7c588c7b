// A region's capacity, as the rest of kubeCDN reads it: its node pools (what cluster.node_groups
// says in the region files), how far each may grow, and how much each node can hold. Code that
// sizes or prices a region calls regionCapacity and never reads the YAML shape itself.
import type { Region } from './config.js';
import type { RegionSpec } from './schema.js';

export type CapacityType = 'on-demand' | 'spot';

export interface NodePoolCapacity {
  readonly name: string;
  /** EC2 instance types the pool may use, as written (c7i.large). */
  readonly instanceTypes: readonly string[];
  /** As Karpenter's karpenter.sh/capacity-type label says it. */
  readonly capacityType: CapacityType;
  /** Most nodes the pool grows to. */
  readonly maxNodes: number;
  /** Ephemeral storage of each node, GiB. */
  readonly diskGiB: number;
  /** vCPUs of the largest instance type the pool may use. */
  readonly maxVcpusPerNode: number;
}

export interface RegionCapacity {
  readonly region: string;
  readonly nodePools: readonly NodePoolCapacity[];
  /** Most nodes the region grows to, over all its pools. */
  readonly maxNodes: number;
}

/** Defaults the schema gives, for specs that were not read through it. */
export const DEFAULT_DISK_GIB = 80;

/**
 * vCPUs of an instance type from its size: large is 2, xlarge 4, Nxlarge 4N. It holds for every
 * family EKS Auto Mode runs (the schema admits sizes large and bigger, no metal).
 */
export function instanceVcpus(instanceType: string): number {
  const size = instanceType.split('.')[1] ?? '';
  if (size === 'large') return 2;
  const m = /^([1-9][0-9]*)?xlarge$/.exec(size);
  if (!m) throw new Error(`not an instance size kubeCDN knows: ${instanceType}`);
  return 4 * Number(m[1] ?? 1);
}

/**
 * What a node keeps for itself of its ephemeral storage, GiB: the kubelet evicts below 10% free,
 * and images, logs and the edge's scratch volume take about 20 GiB more.
 */
export function cacheRoomGiB(diskGiB: number): number {
  return Math.floor(diskGiB * 0.9) - 20;
}

/** CPU the edge pod asks for, millicores: nginx 500m, mtail 50m, 10m more (manifests/base/deployment.yaml). */
export const EDGE_POD_CPU_MILLI = 560;

/**
 * CPU a node keeps for the kubelet and the system, millicores, by the EKS formula: 6% of the
 * first core, 1% of the second, 0.5% of the next two, 0.25% of every core above four.
 */
export function reservedCpuMilli(vcpus: number): number {
  const tiers = [60, 10, 5, 5];
  let milli = 0;
  for (let core = 0; core < vcpus; core++) milli += tiers[core] ?? 2.5;
  return Math.ceil(milli);
}

/**
 * Edge pods one node of a pool holds on the smallest type it may be given: by cache room (each
 * pod asks for its cache as ephemeral storage) and by CPU requests. Memory binds later than CPU
 * on every family with 2 GiB or more per vCPU (c, m, r), since the pod asks for 304Mi.
 */
export function edgePodsPerNode(instanceTypes: readonly string[], diskGiB: number, cacheGiB: number): number {
  const vcpus = Math.min(...instanceTypes.map(instanceVcpus));
  const byCpu = Math.floor((vcpus * 1000 - reservedCpuMilli(vcpus)) / EDGE_POD_CPU_MILLI);
  const byCache = Math.floor(cacheRoomGiB(diskGiB) / cacheGiB);
  return Math.max(0, Math.min(byCpu, byCache));
}

export function regionCapacity(region: Region | RegionSpec): RegionCapacity {
  const spec = 'spec' in region ? region.spec : region;
  const nodePools = spec.cluster.node_groups.map((g): NodePoolCapacity => ({
    name: g.name,
    instanceTypes: g.instance_types,
    capacityType: g.capacity_type === 'SPOT' ? 'spot' : 'on-demand',
    maxNodes: g.max_size,
    diskGiB: g.disk_size,
    maxVcpusPerNode: Math.max(...g.instance_types.map(instanceVcpus)),
  }));
  return { region: spec.region, nodePools, maxNodes: nodePools.reduce((n, p) => n + p.maxNodes, 0) };
}
