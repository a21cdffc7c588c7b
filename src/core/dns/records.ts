// Route53 records as the DNS core sees them, and the ownership records that mark ours.
// Ownership works as ExternalDNS's TXT registry does: each record we manage has a TXT record
// naming our owner id, with the same SetIdentifier and Region. It lives at a name of its own,
// `_kubecdn-a.<hostname>`, because Route53 refuses latency and non-latency records of one name
// and type side by side: a user's own TXT record at the hostname must stay possible.

export interface AliasTarget {
  readonly hostedZoneId: string;
  readonly dnsName: string;
  readonly evaluateTargetHealth: boolean;
}

export interface RecordSet {
  /** Lower case, with the final dot, as Route53 returns it. */
  readonly name: string;
  readonly type: string;
  readonly setIdentifier?: string;
  /** Latency routing: the AWS region the record answers for. */
  readonly region?: string;
  readonly weight?: number;
  readonly failover?: string;
  /** Any routing policy kubeCDN does not use (geolocation, multivalue, cidr, geoproximity). */
  readonly otherPolicy?: string;
  readonly ttl?: number;
  readonly values?: readonly string[];
  readonly aliasTarget?: AliasTarget;
  readonly healthCheckId?: string;
}

export type RoutingPolicy = 'simple' | 'latency' | 'weighted' | 'failover' | 'other';

export function routingPolicy(record: RecordSet): RoutingPolicy {
  if (record.region) return 'latency';
  if (record.weight !== undefined) return 'weighted';
  if (record.failover) return 'failover';
  if (record.otherPolicy) return 'other';
  return 'simple';
}

/** Route53's identity of a record: name, type and set identifier. */
export function recordKey(record: Pick<RecordSet, 'name' | 'type' | 'setIdentifier'>): string {
  return `${record.name}|${record.type}|${record.setIdentifier ?? ''}`;
}

/** A DNS name as Route53 returns it: lower case, octal escapes decoded, with the final dot. */
export function fqdn(name: string): string {
  const decoded = name.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))).toLowerCase();
  return decoded.endsWith('.') ? decoded : `${decoded}.`;
}

/** The record types kubeCDN manages at a hostname. */
export const MANAGED_TYPES = ['A', 'AAAA'] as const;
export type ManagedType = (typeof MANAGED_TYPES)[number];

const OWNERSHIP_PREFIX = '_kubecdn-';

export function ownershipName(hostname: string, type: ManagedType): string {
  return fqdn(`${OWNERSHIP_PREFIX}${type.toLowerCase()}.${hostname}`);
}

/** The record an ownership name stands for, or undefined for any other name. */
export function ownedBy(name: string): { hostname: string; type: ManagedType } | undefined {
  const m = /^_kubecdn-(a|aaaa)\.(.+)$/.exec(name);
  if (!m) return undefined;
  return { hostname: m[2] ?? '', type: (m[1] ?? 'a').toUpperCase() as ManagedType };
}

/** The TXT value: quoted, as Route53 stores TXT strings. */
export function ownershipValue(ownerId: string, region: string, type: ManagedType): string {
  return `"heritage=kubecdn,kubecdn/owner=${ownerId},kubecdn/region=${region},kubecdn/record=${type}"`;
}

export function parseOwnership(value: string): { owner: string; region: string; type: string } | undefined {
  const text = value.replace(/^"|"$/g, '');
  const fields = new Map(text.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
  if (fields.get('heritage') !== 'kubecdn') return undefined;
  const owner = fields.get('kubecdn/owner');
  const region = fields.get('kubecdn/region');
  const type = fields.get('kubecdn/record');
  return owner && region && type ? { owner, region, type } : undefined;
}

/** Whether two records say the same thing (same identity and same content). */
export function sameRecord(a: RecordSet, b: RecordSet): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(r: RecordSet): unknown {
  return {
    name: r.name,
    type: r.type,
    setIdentifier: r.setIdentifier ?? null,
    region: r.region ?? null,
    weight: r.weight ?? null,
    failover: r.failover ?? null,
    otherPolicy: r.otherPolicy ?? null,
    ttl: r.aliasTarget ? null : (r.ttl ?? null),
    values: r.aliasTarget ? null : [...(r.values ?? [])].sort(),
    alias: r.aliasTarget
      ? { zone: r.aliasTarget.hostedZoneId, name: fqdn(r.aliasTarget.dnsName), health: r.aliasTarget.evaluateTargetHealth }
      : null,
    healthCheckId: r.healthCheckId ?? null,
  };
}

/** Whether changing `from` into `to` changes what Route53 treats as the record's identity. */
export function identityChanges(from: RecordSet, to: RecordSet): boolean {
  return (
    recordKey(from) !== recordKey(to) || routingPolicy(from) !== routingPolicy(to) || Boolean(from.aliasTarget) !== Boolean(to.aliasTarget)
  );
}
