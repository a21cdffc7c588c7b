// Rules that a schema cannot say: across entries, across files, and against AWS facts.
import ipaddr from 'ipaddr.js';
import { AWS_REGIONS, SERVING_PARTITION } from './aws-regions.js';
import { cacheRoomGiB, DEFAULT_DISK_GIB, edgePodsPerNode, instanceVcpus } from './capacity.js';
import { quantityBytes } from './edge/nginx.js';
import { eksSupport, EKS_VERSIONS, standardVersions } from './eks-versions.js';
import type { Problem } from './problems.js';
import { subjectOf } from './schema-check.js';
import type { ParsedFile } from './source.js';

export type Tier = 'always-on' | 'scalable';

export interface RuleInput {
  readonly regionFiles: readonly { readonly tier: Tier; readonly file: ParsedFile }[];
  readonly cdn?: ParsedFile;
  /** ISO date (YYYY-MM-DD) the support windows are judged on; without it they are not judged. */
  readonly today?: string;
}

type Path = (string | number)[];
type Obj = Record<string, unknown>;

interface Entry {
  readonly file: ParsedFile;
  readonly index: number;
  readonly data: Obj;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function checkRules(input: RuleInput): Problem[] {
  const entries: Entry[] = input.regionFiles.flatMap(({ file }) =>
    asList((file.data as Obj | undefined)?.['regions']).flatMap((data, index) => (isObj(data) ? [{ file, index, data }] : [])),
  );
  const today = input.today;
  return [
    ...uniqueRegions(entries),
    ...entries.flatMap(partition),
    ...entries.flatMap(ranges),
    ...entries.flatMap(nodeGroupNames),
    ...entries.flatMap(certificateRegion),
    ...entries.flatMap(cacheFitsNodes),
    ...entries.flatMap(minSizeUnused),
    ...entries.flatMap(podAddresses),
    ...entries.flatMap(replicasFitPools),
    ...entries.flatMap(dualStack),
    ...(today ? entries.flatMap((e) => kubernetesVersion(e, today)) : []),
    ...vpcCidrs(entries),
    ...(input.cdn ? hostnamesInZone(input.cdn) : []),
    ...(input.cdn ? healthCheckPort(input.cdn) : []),
    ...(input.cdn ? ownerIdBucketPrefix(input.cdn) : []),
  ];
}

function problem(file: ParsedFile, path: Path, rule: string, message: string, hint?: string, key = false): Problem {
  return { file: file.path, ...file.locate(path, key), rule, severity: 'error', message, ...(hint ? { hint } : {}) };
}

const where = (file: ParsedFile, path: Path) => {
  const { line, column } = file.locate(path);
  return `${file.path}:${line}:${column}`;
};

function uniqueRegions(entries: readonly Entry[]): Problem[] {
  const first = new Map<string, Entry>();
  const problems: Problem[] = [];
  for (const entry of entries) {
    const code = entry.data['region'];
    if (typeof code !== 'string') continue;
    const earlier = first.get(code);
    if (!earlier) {
      first.set(code, entry);
      continue;
    }
    problems.push(
      problem(
        entry.file,
        ['regions', entry.index, 'region'],
        'region/duplicate',
        `region: ${code} is defined twice`,
        `first defined at ${where(earlier.file, ['regions', earlier.index, 'region'])}; a region belongs to one file, once`,
      ),
    );
  }
  return problems;
}

function partition(entry: Entry): Problem[] {
  const code = entry.data['region'];
  const known = typeof code === 'string' ? AWS_REGIONS.get(code) : undefined;
  if (!known || known.partition === SERVING_PARTITION) return [];
  return [
    problem(
      entry.file,
      ['regions', entry.index, 'region'],
      'region/partition',
      `region: ${known.code} is in the ${known.partition} partition, not ${SERVING_PARTITION}`,
      `a hosted zone in ${SERVING_PARTITION} cannot route to load balancers in ${known.partition}; run a separate kubeCDN there`,
    ),
  ];
}

/** Every min below its max: edge replicas, and switch-off below switch-on. */
function ranges(entry: Entry): Problem[] {
  const base: Path = ['regions', entry.index];
  const pairs: { path: Path; low: string; high: string; strict?: boolean; why?: string }[] = [
    { path: [...base, 'edge'], low: 'min_replicas', high: 'max_replicas' },
  ];
  const scaling = entry.data['scaling'];
  if (isObj(scaling) && isObj(scaling['enable_when']) && isObj(scaling['disable_when'])) {
    pairs.push({
      path: [...base, 'scaling'],
      low: 'disable_when.requests_per_second',
      high: 'enable_when.requests_per_second',
      strict: true,
      why: 'switch-off must sit below switch-on, or the region would flap on and off',
    });
  }
  const problems: Problem[] = [];
  for (const { path, low, high, strict, why } of pairs) {
    const lowPath = [...path, ...low.split('.')];
    const highPath = [...path, ...high.split('.')];
    const lowValue = dig(entry.data, lowPath.slice(2));
    const highValue = dig(entry.data, highPath.slice(2));
    if (typeof lowValue !== 'number' || typeof highValue !== 'number') continue;
    if (strict ? lowValue < highValue : lowValue <= highValue) continue;
    const subject = subjectOf(lowPath, entry.file.data);
    problems.push(
      problem(
        entry.file,
        lowPath,
        'range/min-max',
        `${subject}is ${lowValue}, ${strict ? 'not below' : 'above'} ${high} (${highValue})`,
        why ?? `${high} is set at ${where(entry.file, highPath)}`,
      ),
    );
  }
  return problems;
}

function dig(data: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, seg) => (isObj(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[seg] : undefined), data);
}

function nodeGroupNames(entry: Entry): Problem[] {
  const seen = new Map<string, number>();
  const problems: Problem[] = [];
  asList((entry.data['cluster'] as Obj | undefined)?.['node_groups']).forEach((group, i) => {
    const name = isObj(group) ? group['name'] : undefined;
    if (typeof name !== 'string') return;
    const path: Path = ['regions', entry.index, 'cluster', 'node_groups', i, 'name'];
    const earlier = seen.get(name);
    if (earlier === undefined) {
      seen.set(name, i);
      return;
    }
    problems.push(
      problem(
        entry.file,
        path,
        'node-group/duplicate-name',
        `${subjectOf(path, entry.file.data)}"${name}" is used twice`,
        `node group names are unique within a region; the first is at ${where(entry.file, ['regions', entry.index, 'cluster', 'node_groups', earlier, 'name'])}`,
      ),
    );
  });
  return problems;
}

/** A network load balancer can only use an ACM certificate of its own region. */
function certificateRegion(entry: Entry): Problem[] {
  const arn = (entry.data['edge'] as Obj | undefined)?.['certificate_arn'];
  const code = entry.data['region'];
  if (typeof arn !== 'string' || typeof code !== 'string') return [];
  const certRegion = arn.split(':')[3];
  if (!certRegion || certRegion === code) return [];
  const path: Path = ['regions', entry.index, 'edge', 'certificate_arn'];
  return [
    problem(
      entry.file,
      path,
      'certificate/region',
      `${subjectOf(path, entry.file.data)}the certificate is in ${certRegion}, not ${code}`,
      `a load balancer in ${code} can only use an ACM certificate issued or imported in ${code}`,
    ),
  ];
}

function kubernetesVersion(entry: Entry, today: string): Problem[] {
  const version = (entry.data['cluster'] as Obj | undefined)?.['kubernetes_version'];
  if (typeof version !== 'string' || !/^1\.[0-9]{1,2}$/.test(version)) return [];
  const path: Path = ['regions', entry.index, 'cluster', 'kubernetes_version'];
  const subject = subjectOf(path, entry.file.data);
  const supported = standardVersions(today);
  const choose = supported.length ? `choose one of ${supported.join(', ')}` : 'update the EKS calendar in src/core/eks-versions.ts';
  const status = eksSupport(version, today);
  switch (status.kind) {
    case 'standard':
      return [];
    case 'extended':
      return [
        {
          ...problem(
            entry.file,
            path,
            'kubernetes/extended-support',
            `${subject}${version} left EKS standard support on ${status.entry.endOfStandardSupport}; extended support is billed extra and ends ${status.entry.endOfExtendedSupport}`,
            choose,
          ),
          severity: 'warning',
        },
      ];
    case 'ended':
      return [
        problem(
          entry.file,
          path,
          'kubernetes/unsupported',
          `${subject}EKS support for ${version} ended on ${status.entry.endOfExtendedSupport}`,
          choose,
        ),
      ];
    case 'unknown': {
      const newest = EKS_VERSIONS[EKS_VERSIONS.length - 1]?.version ?? '';
      const newer = Number(version.split('.')[1]) > Number(newest.split('.')[1]);
      return [
        problem(
          entry.file,
          path,
          'kubernetes/unsupported',
          `${subject}${version} is not a Kubernetes version EKS supports`,
          newer
            ? `the newest version kubeCDN knows is ${newest}; if EKS has released ${version}, add it to src/core/eks-versions.ts`
            : choose,
        ),
      ];
    }
  }
}

function vpcCidrs(entries: readonly Entry[]): Problem[] {
  const problems: Problem[] = [];
  const valid: { entry: Entry; path: Path; cidr: [ipaddr.IPv4, number]; text: string }[] = [];
  for (const entry of entries) {
    const text = (entry.data['cluster'] as Obj | undefined)?.['vpc_cidr'];
    if (typeof text !== 'string') continue;
    const path: Path = ['regions', entry.index, 'cluster', 'vpc_cidr'];
    const subject = subjectOf(path, entry.file.data);
    let cidr: [ipaddr.IPv4, number];
    try {
      // ipaddr.js also reads inet_aton forms ("10.0.0"), which AWS refuses; demand four parts.
      if (!ipaddr.IPv4.isValidFourPartDecimal(text.split('/')[0] ?? '')) throw new Error('not four-part decimal');
      cidr = ipaddr.IPv4.parseCIDR(text);
    } catch {
      problems.push(
        problem(
          entry.file,
          path,
          'cidr/invalid',
          `${subject}"${text}" is not an IPv4 CIDR`,
          'write it as address/prefix, for example 10.20.0.0/16',
        ),
      );
      continue;
    }
    const [address, bits] = cidr;
    if (bits < 16 || bits > 24) {
      problems.push(
        problem(
          entry.file,
          path,
          'cidr/invalid',
          `${subject}/${bits} is outside /16 to /24`,
          'a VPC is at most /16 in AWS; smaller than /24 leaves too few addresses for EKS subnets across zones',
        ),
      );
      continue;
    }
    const network = ipaddr.IPv4.networkAddressFromCIDR(text);
    if (network.toString() !== address.toString()) {
      problems.push(
        problem(entry.file, path, 'cidr/invalid', `${subject}"${text}" has host bits set`, `did you mean ${network.toString()}/${bits}?`),
      );
      continue;
    }
    if (address.range() !== 'private') {
      problems.push({
        ...problem(
          entry.file,
          path,
          'cidr/not-private',
          `${subject}${text} is not a private (RFC 1918) range`,
          'use a range inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16',
        ),
        severity: 'warning',
      });
    }
    const clash = valid.find((other) => address.match(other.cidr) || other.cidr[0].match(cidr));
    if (clash) {
      problems.push(
        problem(
          entry.file,
          path,
          'cidr/overlap',
          `${subject}${text} overlaps ${String(clash.entry.data['region'])}'s ${clash.text}`,
          `region VPCs must not overlap, so that they can be peered; the other is at ${where(clash.entry.file, clash.path)}`,
        ),
      );
      continue;
    }
    valid.push({ entry, path, cidr, text });
  }
  return problems;
}

function hostnamesInZone(file: ParsedFile): Problem[] {
  const cdn = (file.data as Obj | undefined)?.['cdn'];
  if (!isObj(cdn) || typeof cdn['zone_name'] !== 'string') return [];
  const zone = cdn['zone_name'];
  // A final dot or capitals are the schema's to report, with their fix; here only the place counts.
  const inZone = (name: string) => {
    const plain = name.toLowerCase().replace(/\.$/, '');
    return plain === zone || plain.endsWith(`.${zone}`);
  };
  return asList(cdn['hostnames']).flatMap((name, i) =>
    typeof name === 'string' && !inZone(name)
      ? [
          problem(
            file,
            ['cdn', 'hostnames', i],
            'hostname/outside-zone',
            `cdn.hostnames[${i}]: ${name} is not inside the zone ${zone}`,
            `records for ${name} cannot live in the hosted zone of ${zone}; use a name ending in .${zone}`,
          ),
        ]
      : [],
  );
}

/**
 * Each edge pod asks for its whole cache as ephemeral storage, so a node pool whose nodes cannot
 * hold one cache can never run the edge: the pod would stay pending.
 */
function cacheFitsNodes(entry: Entry): Problem[] {
  const cache = (entry.data['edge'] as Obj | undefined)?.['cache_size'];
  if (typeof cache !== 'string' || !/^[1-9][0-9]*(Mi|Gi|Ti)$/.test(cache)) return [];
  const cacheGiB = quantityBytes(cache) / 2 ** 30;
  const problems: Problem[] = [];
  asList((entry.data['cluster'] as Obj | undefined)?.['node_groups']).forEach((group, i) => {
    if (!isObj(group)) return;
    const disk = typeof group['disk_size'] === 'number' ? group['disk_size'] : DEFAULT_DISK_GIB;
    const room = cacheRoomGiB(disk);
    if (cacheGiB <= room) return;
    const cachePath: Path = ['regions', entry.index, 'edge', 'cache_size'];
    const groupPath: Path = ['regions', entry.index, 'cluster', 'node_groups', i];
    // The schema fills in defaults; a disk_size written in the file has a place of its own.
    const written = where(entry.file, [...groupPath, 'disk_size']) !== where(entry.file, groupPath);
    const diskAt = written ? `disk_size: ${disk} at ${where(entry.file, [...groupPath, 'disk_size'])}` : `the default disk_size of ${disk}`;
    const needed = Math.ceil((cacheGiB + 20) / 0.9);
    problems.push(
      problem(
        entry.file,
        cachePath,
        'capacity/cache-fits-node',
        `${subjectOf(cachePath, entry.file.data)}a ${cache} cache does not fit on the nodes of node group "${String(group['name'])}", which hold ${room}Gi of cache (${diskAt})`,
        `a node keeps 10% of its disk and 20Gi for images and logs: give the group disk_size: ${needed} or more, or a smaller cache_size`,
      ),
    );
  });
  return problems;
}

/**
 * The autoscaler can ask for max_replicas pods, but the node pools hold at most the sum over pools
 * of max_size x pods per node (by cache room and CPU, on the smallest type a pool may get): pods
 * beyond that stay pending for ever.
 */
function replicasFitPools(entry: Entry): Problem[] {
  const edge = entry.data['edge'] as Obj | undefined;
  const cache = edge?.['cache_size'];
  const maxReplicas = edge?.['max_replicas'];
  if (typeof maxReplicas !== 'number' || typeof cache !== 'string' || !/^[1-9][0-9]*(Mi|Gi|Ti)$/.test(cache)) return [];
  const cacheGiB = quantityBytes(cache) / 2 ** 30;
  const pools: string[] = [];
  let most = 0;
  for (const group of asList((entry.data['cluster'] as Obj | undefined)?.['node_groups'])) {
    if (!isObj(group) || typeof group['max_size'] !== 'number' || !Array.isArray(group['instance_types'])) return [];
    const types = group['instance_types'].filter((t): t is string => typeof t === 'string');
    let perNode: number;
    try {
      types.forEach(instanceVcpus);
      perNode = edgePodsPerNode(types, typeof group['disk_size'] === 'number' ? group['disk_size'] : DEFAULT_DISK_GIB, cacheGiB);
    } catch {
      return []; // an instance type the schema refuses; that problem is reported there
    }
    if (perNode === 0 && cacheRoomGiB(typeof group['disk_size'] === 'number' ? group['disk_size'] : DEFAULT_DISK_GIB) < cacheGiB) return []; // capacity/cache-fits-node says why
    most += group['max_size'] * perNode;
    pools.push(`"${String(group['name'])}" ${group['max_size']} x ${perNode}`);
  }
  if (pools.length === 0 || maxReplicas <= most) return [];
  const path: Path = ['regions', entry.index, 'edge', 'max_replicas'];
  return [
    problem(
      entry.file,
      path,
      'capacity/replicas-fit-pools',
      `${subjectOf(path, entry.file.data)}${maxReplicas} edge pods cannot all run: the node pools hold at most ${most} (${pools.join(', ')} nodes x pods per node)`,
      `a node holds as many ${cache} caches as fit in its disk less 10% and 20Gi, and as many pods as its CPU allows at 560m each: choose max_replicas: ${most} or fewer, or raise max_size or disk_size`,
    ),
  ];
}

/**
 * The stack's VPC and subnets are IPv4 only, so no dualstack load balancer can be made: a
 * dual_stack edge would never get its AAAA target.
 */
function dualStack(entry: Entry): Problem[] {
  if ((entry.data['edge'] as Obj | undefined)?.['dual_stack'] !== true) return [];
  const path: Path = ['regions', entry.index, 'edge', 'dual_stack'];
  // The schema fills in the default false; only a value written in the file gets here.
  return [
    problem(
      entry.file,
      path,
      'network/dual-stack',
      `${subjectOf(path, entry.file.data)}dual_stack: true is not supported: the region's VPC and subnets have no IPv6, so the load balancer cannot be dualstack`,
      'remove dual_stack or set it to false; the edge answers on IPv4 (A records) only',
    ),
  ];
}

/** Addresses the edge needs in the private subnets at max_replicas (see podAddresses). */
export function addressesNeeded(maxReplicas: number): number {
  return 2 * maxReplicas + 12;
}

/**
 * The pods and nodes take their addresses from the private subnets, one per zone, each a
 * (2 x zones)th of the VPC (terraform/main.tf cuts them so). At max_replicas the edge needs an
 * address for each pod and, at worst, one node per pod, plus 12 for the system node pool and its
 * pods; AWS keeps 5 addresses of every subnet.
 */
function podAddresses(entry: Entry): Problem[] {
  const cluster = entry.data['cluster'] as Obj | undefined;
  const maxReplicas = (entry.data['edge'] as Obj | undefined)?.['max_replicas'];
  const cidr = typeof cluster?.['vpc_cidr'] === 'string' ? cluster['vpc_cidr'] : '10.0.0.0/16';
  const zones = typeof cluster?.['availability_zones'] === 'number' ? cluster['availability_zones'] : 3;
  const bits = Number(cidr.split('/')[1]);
  if (typeof maxReplicas !== 'number' || !Number.isInteger(bits) || bits < 16 || bits > 24 || zones < 2 || zones > 6) return [];
  const subnetBits = bits + Math.ceil(Math.log2(zones * 2));
  const usable = zones * (2 ** (32 - subnetBits) - 5);
  const needed = addressesNeeded(maxReplicas);
  if (needed <= usable) return [];
  const path: Path = ['regions', entry.index, 'edge', 'max_replicas'];
  const most = Math.floor((usable - 12) / 2);
  return [
    problem(
      entry.file,
      path,
      'capacity/pod-addresses',
      `${subjectOf(path, entry.file.data)}${maxReplicas} edge pods need ${needed} addresses, but the private subnets of ${cidr} across ${zones} zones hold ${usable}`,
      `each pod takes an address, and each node one more; with this VPC choose max_replicas: ${Math.max(most, 0)} or fewer, or a larger vpc_cidr`,
    ),
  ];
}

/** The edge's Service serves HTTP on 80 and HTTPS on 443: a health check elsewhere never passes. */
/** Prefixes S3 reserves: no bucket name may start with them, so <owner_id>-kubecdn-state-… cannot. */
const S3_RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];

function ownerIdBucketPrefix(file: ParsedFile): Problem[] {
  const owner = ((file.data as Obj | undefined)?.['cdn'] as Obj | undefined)?.['owner_id'];
  const prefix = typeof owner === 'string' ? S3_RESERVED_PREFIXES.find((p) => owner.startsWith(p)) : undefined;
  if (!prefix) return [];
  return [
    problem(
      file,
      ['cdn', 'owner_id'],
      'owner-id/bucket-prefix',
      `cdn.owner_id: "${String(owner)}" starts with ${prefix}, which S3 refuses at the start of a bucket name (the state bucket is <owner_id>-kubecdn-state-<account id>)`,
      `choose an owner_id that does not start with ${S3_RESERVED_PREFIXES.join(', ')}`,
    ),
  ];
}

function healthCheckPort(file: ParsedFile): Problem[] {
  const check = ((file.data as Obj | undefined)?.['cdn'] as Obj | undefined)?.['health_check'];
  if (!isObj(check) || typeof check['port'] !== 'number') return [];
  const protocol = check['protocol'] === 'HTTP' ? 'HTTP' : 'HTTPS';
  const served = protocol === 'HTTP' ? 80 : 443;
  if (check['port'] === served) return [];
  const path: Path = ['cdn', 'health_check', 'port'];
  return [
    problem(
      file,
      path,
      'health-check/port',
      `cdn.health_check.port: the edge does not serve ${protocol} on port ${check['port']}`,
      `the edge's load balancer serves HTTP on 80 and HTTPS on 443: use port: ${served}, or leave port out`,
    ),
  ];
}

/** Node groups were managed node groups with a minimum; as Auto Mode node pools they have none. */
function minSizeUnused(entry: Entry): Problem[] {
  return asList((entry.data['cluster'] as Obj | undefined)?.['node_groups']).flatMap((group, i) => {
    if (!isObj(group) || !('min_size' in group)) return [];
    const path: Path = ['regions', entry.index, 'cluster', 'node_groups', i, 'min_size'];
    return [
      {
        ...problem(
          entry.file,
          path,
          'node-group/min-size',
          `${subjectOf(path, entry.file.data)}has no effect: EKS Auto Mode makes nodes as the edge's pods need them`,
          'remove min_size; max_size says how far the pool may grow, and edge.min_replicas how many pods always run',
          true,
        ),
        severity: 'warning' as const,
      },
    ];
  });
}
