// From the DNS there is to the DNS there should be: which of the zone's records are ours, what
// to create, change and delete, what never to do, and in which batches.
import { refRegion, type Desired } from './desired.js';
import { planHealthChecks, type ActualHealthCheck, type HealthCheckPlan } from './health-checks.js';
import {
  identityChanges,
  MANAGED_TYPES,
  ownedBy,
  ownershipName,
  parseOwnership,
  recordKey,
  routingPolicy,
  sameRecord,
  type ManagedType,
  type RecordSet,
} from './records.js';

export interface Actual {
  readonly records: readonly RecordSet[];
  readonly healthChecks: readonly ActualHealthCheck[];
}

export type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';

export interface Change {
  readonly action: ChangeAction;
  readonly record: RecordSet;
}

export type UnitKind = 'create' | 'update' | 'replace' | 'delete';

/** Changes that must land together: a record and its ownership record, or a record's delete and create. */
export interface Unit {
  readonly kind: UnitKind;
  readonly hostname: string;
  readonly type: ManagedType;
  readonly region: string;
  readonly changes: readonly Change[];
  readonly before?: RecordSet;
  readonly after?: RecordSet;
}

export interface DnsPlan {
  readonly units: readonly Unit[];
  readonly batches: readonly (readonly Change[])[];
  readonly healthChecks: HealthCheckPlan;
  /** What Route53 would refuse or what belongs to someone else: never done, even with force. */
  readonly conflicts: readonly string[];
  /** What is refused unless forced: too many deletions, a hostname left with no region. */
  readonly guards: readonly string[];
  readonly untouched: readonly string[];
  /** Our A and AAAA records before the change. */
  readonly existing: number;
}

export interface PlanOptions {
  /** Largest share of our records one run may delete without force (octoDNS's default). */
  readonly maxDeleteFraction?: number;
  /** Below this many records of ours, the deletion share is not judged (as octoDNS does). */
  readonly minExisting?: number;
  readonly limits?: BatchLimits;
}

/**
 * ChangeResourceRecordSets limits (Route53 API reference, ChangeResourceRecordSets, "Limits"): at
 * most 1,000 ResourceRecord elements and 32,000 characters of Value elements a request, UPSERT
 * counting both twice. Alias records carry no ResourceRecord; each is counted as one all the same,
 * so that a batch of aliases stays within the same bound.
 */
export interface BatchLimits {
  readonly elements: number;
  readonly characters: number;
}

export const ROUTE53_LIMITS: BatchLimits = { elements: 1000, characters: 32_000 };

export function planDns(desired: Desired, actual: Actual, options: PlanOptions = {}): DnsPlan {
  const owner = desired.ownerId;
  const untouched = new Set(desired.untouched);
  const byKey = new Map(actual.records.map((r) => [recordKey(r), r]));
  const isOurs = (txt: RecordSet | undefined, region: string | undefined, type: string) =>
    Boolean(
      txt &&
      (txt.values ?? []).some((v) => {
        const o = parseOwnership(v);
        return o?.owner === owner && o.region === region && o.type === type;
      }),
    );
  const ownershipOf = (record: Pick<RecordSet, 'name' | 'setIdentifier'>, type: ManagedType) =>
    byKey.get(
      recordKey({
        name: ownershipName(record.name.replace(/\.$/, ''), type),
        type: 'TXT',
        ...(record.setIdentifier ? { setIdentifier: record.setIdentifier } : {}),
      }),
    );

  const { plan: healthChecks, ids: healthCheckId } = planHealthChecks(desired, actual);
  const resolve = (record: RecordSet): RecordSet => {
    const region = refRegion(record.healthCheckId);
    const id = region ? healthCheckId.get(region) : undefined;
    return id ? { ...record, healthCheckId: id } : record;
  };

  // ---- records ------------------------------------------------------------------------------
  const units: Unit[] = [];
  const conflicts: string[] = [];
  const desiredManaged = desired.records.filter((r) => r.type !== 'TXT').map(resolve);
  const desiredTxt = new Map(desired.records.filter((r) => r.type === 'TXT').map((r) => [recordKey(r), r]));
  const ownedManaged = actual.records.filter(
    (r) =>
      (MANAGED_TYPES as readonly string[]).includes(r.type) &&
      r.setIdentifier !== undefined &&
      isOurs(ownershipOf(r, r.type as ManagedType), r.setIdentifier, r.type),
  );
  const ownedKeys = new Set(ownedManaged.map(recordKey));
  const label = (r: RecordSet) => `${r.name.replace(/\.$/, '')} ${r.type}${r.setIdentifier ? ` (${r.setIdentifier})` : ''}`;

  for (const want of desiredManaged) {
    const type = want.type as ManagedType;
    const host = want.name.replace(/\.$/, '');
    // The set identifier is the record's identity; its Region is where it answers from.
    const region = want.setIdentifier ?? '';
    const txtWant = desiredTxt.get(recordKey({ name: ownershipName(host, type), type: 'TXT', setIdentifier: region }));
    if (!txtWant) continue;
    const txtHave = ownershipOf(want, type);
    const have = byKey.get(recordKey(want));
    const txtChange: Change[] =
      txtHave && isOurs(txtHave, region, type) ? (sameRecord(txtHave, txtWant) ? [] : [{ action: 'UPSERT', record: txtWant }]) : [];
    if (have && ownedKeys.has(recordKey(have))) {
      if (identityChanges(have, want)) {
        units.push({
          kind: 'replace',
          hostname: host,
          type,
          region,
          before: have,
          after: want,
          changes: [{ action: 'DELETE', record: have }, { action: 'CREATE', record: want }, ...txtChange],
        });
      } else if (!sameRecord(have, want) || txtChange.length) {
        units.push({
          kind: 'update',
          hostname: host,
          type,
          region,
          before: have,
          after: want,
          changes: [...(sameRecord(have, want) ? [] : [{ action: 'UPSERT' as const, record: want }]), ...txtChange],
        });
      }
      continue;
    }
    // Not ours yet: create it, unless Route53 would refuse or the place belongs to someone else.
    const blocked = [
      ...(have ? [`${label(have)} exists and is not kubeCDN ${owner}'s: left as it is`] : []),
      ...actual.records
        .filter((r) => r.name === want.name && r.type === want.type && routingPolicy(r) !== 'latency')
        .map(
          (r) =>
            `${label(r)} is a ${routingPolicy(r)} record: Route53 refuses latency and ${routingPolicy(r)} records of one name and type side by side`,
        ),
      ...actual.records
        .filter((r) => r.name === want.name && r.type === 'CNAME')
        .map((r) => `${label(r)} is a CNAME: no other record may share its name`),
      ...(txtHave && !isOurs(txtHave, region, type) ? [`${label(txtHave)} exists and is not kubeCDN ${owner}'s ownership record`] : []),
      ...actual.records
        .filter((r) => r.name === txtWant.name && r.type === 'TXT' && routingPolicy(r) !== 'latency')
        .map((r) => `${label(r)} is a ${routingPolicy(r)} TXT record where kubeCDN keeps its latency ownership records`),
    ];
    if (blocked.length) {
      conflicts.push(...blocked.map((b) => `cannot create ${label(want)}: ${b}`));
      continue;
    }
    // The ownership record first: if a batch were ever applied only in part, what is left is an
    // ownership record without its record, which the next run completes.
    const txt: Change = txtHave ? { action: 'UPSERT', record: txtWant } : { action: 'CREATE', record: txtWant };
    units.push({ kind: 'create', hostname: host, type, region, after: want, changes: [txt, { action: 'CREATE', record: want }] });
  }

  const wantedKeys = new Set(desiredManaged.map(recordKey));
  for (const have of ownedManaged) {
    if (wantedKeys.has(recordKey(have)) || untouched.has(have.setIdentifier ?? '')) continue;
    const type = have.type as ManagedType;
    const txt = ownershipOf(have, type);
    units.push({
      kind: 'delete',
      hostname: have.name.replace(/\.$/, ''),
      type,
      region: have.setIdentifier ?? '',
      before: have,
      // The record first, its ownership record after: a part-applied batch leaves an ownership
      // record alone, which the next run deletes.
      changes: [{ action: 'DELETE', record: have }, ...(txt ? [{ action: 'DELETE' as const, record: txt }] : [])],
    });
  }
  // Ownership records whose record is gone (a batch applied in part somewhere laxer than Route53).
  const claimed = new Set(units.flatMap((u) => u.changes.map((c) => recordKey(c.record))));
  for (const txt of actual.records) {
    const target = txt.type === 'TXT' ? ownedBy(txt.name) : undefined;
    if (!target || claimed.has(recordKey(txt)) || !isOurs(txt, txt.setIdentifier, target.type)) continue;
    const recordThere = byKey.get(
      recordKey({ name: target.hostname, type: target.type, ...(txt.setIdentifier ? { setIdentifier: txt.setIdentifier } : {}) }),
    );
    const stillWanted = desiredTxt.has(recordKey(txt));
    if (recordThere || stillWanted || untouched.has(txt.setIdentifier ?? '')) continue;
    units.push({
      kind: 'delete',
      hostname: target.hostname.replace(/\.$/, ''),
      type: target.type,
      region: txt.setIdentifier ?? '',
      changes: [{ action: 'DELETE', record: txt }],
    });
  }

  // ---- safety -------------------------------------------------------------------------------
  const guards: string[] = [];
  const existing = ownedManaged.length;
  const deleting = units.filter((u) => u.kind === 'delete' && u.before).length;
  const maxFraction = options.maxDeleteFraction ?? 0.3;
  if (existing >= (options.minExisting ?? 10) && deleting / existing > maxFraction) {
    guards.push(
      `this would delete ${deleting} of kubeCDN's ${existing} records (${Math.round((100 * deleting) / existing)}%), more than the ${Math.round(maxFraction * 100)}% allowed in one run`,
    );
  }
  const hosts = new Set([...desired.hostnames, ...ownedManaged.map((r) => r.name.replace(/\.$/, ''))]);
  for (const host of hosts) {
    for (const type of MANAGED_TYPES) {
      const before = ownedManaged.filter((r) => r.name === `${host}.` && r.type === type).length;
      const deleted = units.filter((u) => u.kind === 'delete' && u.before && u.hostname === host && u.type === type).length;
      const created = units.filter((u) => u.kind === 'create' && u.hostname === host && u.type === type).length;
      if (before > 0 && before - deleted + created === 0) guards.push(`${host} ${type} would be left with no serving region`);
    }
  }
  if (desired.serving.length === 0) guards.push('no region would serve: every serving region is excluded');

  const order: Record<UnitKind, number> = { delete: 0, replace: 1, update: 2, create: 3 };
  const sorted = [...units].sort(
    (a, b) =>
      order[a.kind] - order[b.kind] ||
      a.hostname.localeCompare(b.hostname) ||
      a.type.localeCompare(b.type) ||
      a.region.localeCompare(b.region),
  );
  return {
    units: sorted,
    batches: toBatches(sorted, options.limits ?? ROUTE53_LIMITS),
    healthChecks,
    conflicts,
    guards,
    untouched: desired.untouched,
    existing,
  };
}

export function changeCost(change: Change): { elements: number; characters: number } {
  const values = change.record.values ?? [];
  const factor = change.action === 'UPSERT' ? 2 : 1;
  return { elements: factor * Math.max(1, values.length), characters: factor * values.reduce((n, v) => n + v.length, 0) };
}

/** Units packed in order into as few batches as the limits allow; a unit is never split. */
export function toBatches(units: readonly Unit[], limits: BatchLimits): Change[][] {
  const batches: Change[][] = [];
  let current: Change[] = [];
  let elements = 0;
  let characters = 0;
  for (const unit of units) {
    const cost = unit.changes
      .map(changeCost)
      .reduce((a, c) => ({ elements: a.elements + c.elements, characters: a.characters + c.characters }), { elements: 0, characters: 0 });
    if (current.length && (elements + cost.elements > limits.elements || characters + cost.characters > limits.characters)) {
      batches.push(current);
      current = [];
      elements = 0;
      characters = 0;
    }
    current.push(...unit.changes);
    elements += cost.elements;
    characters += cost.characters;
  }
  if (current.length) batches.push(current);
  return batches;
}

export function isEmpty(plan: DnsPlan): boolean {
  return (
    plan.units.length === 0 &&
    plan.healthChecks.create.length === 0 &&
    plan.healthChecks.update.length === 0 &&
    plan.healthChecks.delete.length === 0
  );
}
