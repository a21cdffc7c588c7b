// From the DNS there is to the DNS there should be: which of the zone's records are ours, what
// to create, change and delete, what never to do, and in which batches.
import { refRegion, type Desired } from './desired.js';
import { label, routeBlockers } from './conflicts.js';
import { keepReferenced, legacyChecks, planHealthChecks, type ActualHealthCheck, type HealthCheckPlan } from './health-checks.js';
import { hostnameProblems } from './hostnames.js';
import { ROUTE53_LIMITS, toBatches, type BatchLimits } from './batches.js';
import {
  fqdn,
  identityChanges,
  MANAGED_TYPES,
  ownedBy,
  ownershipName,
  parseOwnership,
  recordKey,
  sameRecord,
  type ManagedType,
  type RecordSet,
} from './records.js';

export interface Actual {
  /** The hosted zone: its id scopes our health checks; its name bounds our hostnames. */
  readonly zoneId: string;
  readonly zoneName?: string;
  readonly records: readonly RecordSet[];
  readonly healthChecks: readonly ActualHealthCheck[];
  /** Names and types with a resource record set protection (ListResourceRecordSetProtections). */
  readonly protections?: readonly RecordProtection[];
}

export interface RecordProtection {
  /** Lower case, with the final dot, as `fqdn` gives it. */
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

export type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';

export interface Change {
  readonly action: ChangeAction;
  readonly record: RecordSet;
}

export type UnitKind = 'create' | 'update' | 'replace' | 'delete' | 'adopt';

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
  /**
   * Places Route53 would refuse or someone else holds: never changed, even with force, and shown;
   * the rest of the plan goes on without them.
   */
  readonly conflicts: readonly string[];
  /** What is refused unless forced: too many deletions, a hostname left with no region. */
  readonly guards: readonly string[];
  /** What makes the whole run change nothing, forced or not. */
  readonly refusals: readonly string[];
  readonly untouched: readonly string[];
  /** Checks of earlier versions (no zone in their reference): never touched, left for you to delete. */
  readonly legacyChecks: readonly { readonly id: string; readonly region: string }[];
  /** Our A and AAAA records before the change. */
  readonly existing: number;
}

export interface PlanOptions {
  /** Largest share of our records one run may delete without force (octoDNS's default). */
  readonly maxDeleteFraction?: number;
  /** Below this many records of ours, the deletion share is not judged (as octoDNS does). */
  readonly minExisting?: number;
  readonly limits?: BatchLimits;
  /**
   * Take as ours the records at kubeCDN's own places (our hostname, type, and a region's set
   * identifier and Region) whose ownership record was deleted or is not a kubeCDN one.
   */
  readonly adopt?: boolean;
  /** A region being drained for a teardown: any record left answering for it refuses the run. */
  readonly drain?: string;
}

type Place = {
  want: RecordSet;
  txtWant: RecordSet;
  have?: RecordSet;
  txtHave?: RecordSet;
  host: string;
  type: ManagedType;
  region: string;
};

/**
 * The plan. Route53 rejects a whole batch that changes a protected name and type
 * (ChangeResourceRecordSets, "Protected Resource Record Sets"), so a place whose change would touch
 * one is left out, shown as a conflict, and planned again without it: then nothing is called for
 * it, not even a health check its region would only need for it.
 */
export function planDns(desired: Desired, actual: Actual, options: PlanOptions = {}): DnsPlan {
  const protections = new Map((actual.protections ?? []).map((p) => [`${fqdn(p.name)}|${p.type}`, p]));
  const protection = (record: RecordSet) => protections.get(`${fqdn(record.name)}|${record.type}`);
  const first = planPlaces(desired, actual, options, new Set());
  const hit = first.units.filter((u) => u.changes.some((c) => protection(c.record)));
  if (!hit.length) return first;
  const second = planPlaces(desired, actual, options, new Set(hit.map(placeKey)));
  const shown = hit.map((u) => {
    const p = u.changes.map((c) => protection(c.record)).find(Boolean) as RecordProtection;
    return `cannot ${u.kind} ${u.hostname} ${u.type} (${u.region}): ${p.name} ${p.type} is protected${p.comment ? ` (${p.comment})` : ''}, and Route53 refuses a batch that changes it; left as it is until the protection is deleted (DeleteResourceRecordSetProtections)`;
  });
  return { ...second, conflicts: [...shown, ...second.conflicts] };
}

const placeKey = (p: { hostname: string; type: string; region: string }) => `${p.hostname}|${p.type}|${p.region}`;

/**
 * The zone as this owner reads it (which records are ours, and which ownership record stands for
 * each), beside what the region files want of it: the records wanted, the hostnames served, and
 * the regions whose records are left as they are.
 */
interface Zone {
  readonly owner: string;
  readonly byKey: ReadonlyMap<string, RecordSet>;
  /** Our A and AAAA records: each with an ownership record of ours naming its region and type. */
  readonly ownedManaged: readonly RecordSet[];
  readonly ownedKeys: ReadonlySet<string>;
  readonly desiredTxt: ReadonlyMap<string, RecordSet>;
  /** The A and AAAA records the region files want, by record key. */
  readonly wantedKeys: ReadonlySet<string>;
  /** The hostnames served, as fully qualified names. */
  readonly servingHosts: ReadonlySet<string>;
  /** Serving regions with no load-balancer target this time: their records are left as they are. */
  readonly untouched: ReadonlySet<string>;
  readonly isOurs: (txt: RecordSet | undefined, region: string | undefined, type: string) => boolean;
  /** Adoptable: no ownership record, or one that names no kubeCDN at all (edited by hand). */
  readonly adoptable: (txt: RecordSet | undefined) => boolean;
  readonly ownershipOf: (record: Pick<RecordSet, 'name' | 'setIdentifier'>, type: ManagedType) => RecordSet | undefined;
}

type Claimed = Place & { status: 'ours' | 'adopt' | 'create' };

function planPlaces(desired: Desired, actual: Actual, options: PlanOptions, skip: ReadonlySet<string>): DnsPlan {
  const zone = readZone(desired, actual);
  const refusals = hostnameProblems(desired.hostnames, actual.zoneName).map((p) => `${p}; nothing is written for it`);
  const { places, conflicts } = claimPlaces(zone, desired, actual, options, skip);

  // Health checks, for the regions whose records this run writes or keeps.
  const writing = new Set(places.map((p) => p.region));
  const planned = planHealthChecks(
    { ownerId: zone.owner, zoneId: actual.zoneId },
    desired,
    actual,
    desired.healthChecks.filter((hc) => writing.has(hc.region)),
  );
  const resolve = (record: RecordSet): RecordSet => {
    const region = refRegion(record.healthCheckId);
    const id = region ? planned.ids.get(region) : undefined;
    return id ? { ...record, healthCheckId: id } : record;
  };

  const adoptedGone = options.adopt ? adoptedLeftovers(zone, desired, actual) : [];
  const units = places.flatMap((place) => writeUnits(zone, place, resolve(place.want)));
  units.push(...deleteUnits(zone, [...zone.ownedManaged, ...adoptedGone], skip));
  units.push(...orphanOwnershipDeletes(zone, actual, units, skip));

  // What the zone holds after the run: a health check still in use stays, a drained region must not answer.
  const touched = new Set(units.flatMap((u) => u.changes.map((c) => recordKey(c.record))));
  const left = actual.records.filter((r) => !touched.has(recordKey(r)));
  const { plan: healthChecks, kept } = keepReferenced(planned.plan, new Set(left.map((r) => r.healthCheckId ?? '').filter(Boolean)));
  for (const hc of kept) {
    const users = left.filter((r) => r.healthCheckId === hc.id).map(label);
    conflicts.push(`health check ${hc.id} of ${hc.region} is not deleted: ${users.join(', ')} still uses it`);
  }
  if (options.drain) refusals.push(...drainRefusals(zone, left, options.drain));

  // Records taken with --adopt count as ours: before the run, and when they are deleted.
  const existing = zone.ownedManaged.length + adoptedGone.length + units.filter((u) => u.kind === 'adopt').length;
  const sorted = sortUnits(units);
  return {
    units: sorted,
    batches: toBatches(sorted, options.limits ?? ROUTE53_LIMITS),
    healthChecks,
    conflicts,
    guards: safetyGuards(zone, desired, units, adoptedGone, existing, options),
    refusals,
    untouched: desired.untouched,
    legacyChecks: legacyChecks(zone.owner, actual.healthChecks),
    existing,
  };
}

function readZone(desired: Desired, actual: Actual): Zone {
  const owner = desired.ownerId;
  const byKey = new Map(actual.records.map((r) => [recordKey(r), r]));
  const isOurs = (txt: RecordSet | undefined, region: string | undefined, type: string) =>
    Boolean(
      txt &&
      (txt.values ?? []).some((v) => {
        const o = parseOwnership(v);
        return o?.owner === owner && o.region === region && o.type === type;
      }),
    );
  const adoptable = (txt: RecordSet | undefined) => !txt || !(txt.values ?? []).some((v) => parseOwnership(v));
  const ownershipOf = (record: Pick<RecordSet, 'name' | 'setIdentifier'>, type: ManagedType) =>
    byKey.get(
      recordKey({
        name: ownershipName(record.name.replace(/\.$/, ''), type),
        type: 'TXT',
        ...(record.setIdentifier ? { setIdentifier: record.setIdentifier } : {}),
      }),
    );
  const ownedManaged = actual.records.filter(
    (r) =>
      (MANAGED_TYPES as readonly string[]).includes(r.type) &&
      r.setIdentifier !== undefined &&
      isOurs(ownershipOf(r, r.type as ManagedType), r.setIdentifier, r.type),
  );
  return {
    owner,
    byKey,
    ownedManaged,
    ownedKeys: new Set(ownedManaged.map(recordKey)),
    desiredTxt: new Map(desired.records.filter((r) => r.type === 'TXT').map((r) => [recordKey(r), r])),
    wantedKeys: new Set(desired.records.filter((r) => r.type !== 'TXT').map(recordKey)),
    servingHosts: new Set(desired.hostnames.map((h) => fqdn(h))),
    untouched: new Set(desired.untouched),
    isOurs,
    adoptable,
    ownershipOf,
  };
}

/** Which desired places are ours, which to take (with adopt) or create, and which are blocked. */
function claimPlaces(
  zone: Zone,
  desired: Desired,
  actual: Actual,
  options: PlanOptions,
  skip: ReadonlySet<string>,
): { places: Claimed[]; conflicts: string[] } {
  const { owner, isOurs, adoptable } = zone;
  const conflicts: string[] = [];
  const places: Claimed[] = [];
  for (const want of desired.records.filter((r) => r.type !== 'TXT')) {
    const type = want.type as ManagedType;
    const host = want.name.replace(/\.$/, '');
    // The set identifier is the record's identity; its Region is where it answers from.
    const region = want.setIdentifier ?? '';
    const txtWant = zone.desiredTxt.get(recordKey({ name: ownershipName(host, type), type: 'TXT', setIdentifier: region }));
    if (!txtWant || skip.has(placeKey({ hostname: host, type, region }))) continue;
    const have = zone.byKey.get(recordKey(want));
    const txtHave = zone.ownershipOf(want, type);
    const place = { want, txtWant, host, type, region, ...(have ? { have } : {}), ...(txtHave ? { txtHave } : {}) };
    if (have && zone.ownedKeys.has(recordKey(have))) {
      places.push({ ...place, status: 'ours' });
      continue;
    }
    const take = Boolean(options.adopt && have && adoptable(txtHave) && have.region === have.setIdentifier);
    const deletedFirst = (r: RecordSet) => zone.ownedKeys.has(recordKey(r)) || (take && recordKey(r) === recordKey(have ?? r));
    const blocked = [
      ...(have && !take
        ? [
            `${label(have)} exists and is not kubeCDN ${owner}'s: left as it is${adoptable(txtHave) ? " (its ownership record is missing or not kubeCDN's: --adopt takes it)" : ''}`,
          ]
        : []),
      ...routeBlockers(want, actual.records, deletedFirst),
      ...(txtHave && !isOurs(txtHave, region, type) && !(take && adoptable(txtHave))
        ? [`${label(txtHave)} exists and is not kubeCDN ${owner}'s ownership record`]
        : []),
      ...routeBlockers(txtWant, actual.records, deletedFirst),
    ];
    if (blocked.length) conflicts.push(...blocked.map((b) => `cannot write ${label(want)}: ${b}`));
    else places.push({ ...place, status: take ? 'adopt' : 'create' });
  }
  return { places, conflicts };
}

/** The changes that write one claimed place: none, an update, a replace, an adoption or a creation. */
function writeUnits(zone: Zone, place: Claimed, want: RecordSet): Unit[] {
  const { txtWant, txtHave, have, host, type, region } = place;
  const txtChange: Change[] =
    txtHave && zone.isOurs(txtHave, region, type) ? (sameRecord(txtHave, txtWant) ? [] : [{ action: 'UPSERT', record: txtWant }]) : [];
  const base = { hostname: host, type, region, after: want, ...(have ? { before: have } : {}) };
  if (place.status === 'ours' && have) {
    if (identityChanges(have, want))
      return [
        { ...base, kind: 'replace', changes: [{ action: 'DELETE', record: have }, { action: 'CREATE', record: want }, ...txtChange] },
      ];
    if (!sameRecord(have, want) || txtChange.length)
      return [
        {
          ...base,
          kind: 'update',
          changes: [...(sameRecord(have, want) ? [] : [{ action: 'UPSERT' as const, record: want }]), ...txtChange],
        },
      ];
    return [];
  }
  // The ownership record first: if a batch were ever applied only in part, what is left is an
  // ownership record without its record, which the next run completes.
  const txt: Change = txtHave ? { action: 'UPSERT', record: txtWant } : { action: 'CREATE', record: txtWant };
  if (place.status === 'adopt' && have) {
    const record: Change[] = identityChanges(have, want)
      ? [
          { action: 'DELETE', record: have },
          { action: 'CREATE', record: want },
        ]
      : sameRecord(have, want)
        ? []
        : [{ action: 'UPSERT', record: want }];
    return [{ ...base, kind: 'adopt', changes: [txt, ...record] }];
  }
  return [{ ...base, kind: 'create', changes: [txt, { action: 'CREATE', record: want }] }];
}

/**
 * Records at our places with no ownership record, in regions of the region files that no longer
 * serve: with adopt, they are ours to delete. A region kubeCDN was never given is someone else's.
 */
function adoptedLeftovers(zone: Zone, desired: Desired, actual: Actual): RecordSet[] {
  const known = new Set(desired.known);
  return actual.records.filter(
    (r) =>
      (MANAGED_TYPES as readonly string[]).includes(r.type) &&
      zone.servingHosts.has(r.name) &&
      r.setIdentifier !== undefined &&
      r.region === r.setIdentifier &&
      known.has(r.region) &&
      !zone.ownedKeys.has(recordKey(r)) &&
      !zone.wantedKeys.has(recordKey(r)) &&
      !zone.untouched.has(r.setIdentifier) &&
      zone.adoptable(zone.ownershipOf(r, r.type as ManagedType)),
  );
}

/** Our records no region wants any more, each deleted with its ownership record. */
function deleteUnits(zone: Zone, ours: readonly RecordSet[], skip: ReadonlySet<string>): Unit[] {
  const units: Unit[] = [];
  for (const have of ours) {
    if (zone.wantedKeys.has(recordKey(have)) || zone.untouched.has(have.setIdentifier ?? '')) continue;
    const type = have.type as ManagedType;
    if (skip.has(placeKey({ hostname: have.name.replace(/\.$/, ''), type, region: have.setIdentifier ?? '' }))) continue;
    const txt = zone.ownershipOf(have, type);
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
  return units;
}

/** Ownership records whose record is gone (a batch applied in part somewhere laxer than Route53). */
function orphanOwnershipDeletes(zone: Zone, actual: Actual, units: readonly Unit[], skip: ReadonlySet<string>): Unit[] {
  const claimed = new Set(units.flatMap((u) => u.changes.map((c) => recordKey(c.record))));
  const orphans: Unit[] = [];
  for (const txt of actual.records) {
    const target = txt.type === 'TXT' ? ownedBy(txt.name) : undefined;
    if (!target || claimed.has(recordKey(txt)) || !zone.isOurs(txt, txt.setIdentifier, target.type)) continue;
    const recordThere = zone.byKey.get(
      recordKey({ name: target.hostname, type: target.type, ...(txt.setIdentifier ? { setIdentifier: txt.setIdentifier } : {}) }),
    );
    const stillWanted = zone.desiredTxt.has(recordKey(txt));
    const place = { hostname: target.hostname.replace(/\.$/, ''), type: target.type, region: txt.setIdentifier ?? '' };
    if (recordThere || stillWanted || zone.untouched.has(txt.setIdentifier ?? '') || skip.has(placeKey(place))) continue;
    orphans.push({
      kind: 'delete',
      hostname: target.hostname.replace(/\.$/, ''),
      type: target.type,
      region: txt.setIdentifier ?? '',
      changes: [{ action: 'DELETE', record: txt }],
    });
  }
  return orphans;
}

/** A drained region must not be left answering through a record kubeCDN cannot delete. */
function drainRefusals(zone: Zone, left: readonly RecordSet[], drain: string): string[] {
  // What answers for a region is a latency record's Region; its set identifier is only a name.
  return left
    .filter((r) => zone.servingHosts.has(r.name) && r.region === drain)
    .map((r) => {
      const adoptablePlace =
        r.setIdentifier === r.region &&
        (MANAGED_TYPES as readonly string[]).includes(r.type) &&
        zone.adoptable(zone.ownershipOf(r, r.type as ManagedType));
      return `draining ${drain} would leave ${label(r)} answering for it: it is not kubeCDN ${zone.owner}'s (its ownership record is missing or another's); ${adoptablePlace ? 'take it with --adopt or remove it' : 'remove it (it is not at a place of kubeCDN, so --adopt does not take it)'}, then drain again`;
    });
}

/** What is refused unless forced: too many deletions, a hostname left with no region, no region at all. */
function safetyGuards(
  zone: Zone,
  desired: Desired,
  units: readonly Unit[],
  adoptedGone: readonly RecordSet[],
  existing: number,
  options: PlanOptions,
): string[] {
  const guards: string[] = [];
  const deleting = units.filter((u) => u.kind === 'delete' && u.before).length;
  const maxFraction = options.maxDeleteFraction ?? 0.3;
  if (existing >= (options.minExisting ?? 10) && deleting / existing > maxFraction) {
    guards.push(
      `this would delete ${deleting} of kubeCDN's ${existing} records (${Math.round((100 * deleting) / existing)}%), more than the ${Math.round(maxFraction * 100)}% allowed in one run`,
    );
  }
  const taken = [...zone.ownedManaged, ...adoptedGone];
  const hosts = new Set([...desired.hostnames, ...zone.ownedManaged.map((r) => r.name.replace(/\.$/, ''))]);
  for (const host of hosts) {
    for (const type of MANAGED_TYPES) {
      const before = taken.filter((r) => r.name === `${host}.` && r.type === type).length;
      const deleted = units.filter((u) => u.kind === 'delete' && u.before && u.hostname === host && u.type === type).length;
      const created = units.filter((u) => (u.kind === 'create' || u.kind === 'adopt') && u.hostname === host && u.type === type).length;
      if (before > 0 && before - deleted + created === 0) guards.push(`${host} ${type} would be left with no serving region`);
    }
  }
  if (desired.serving.length === 0) guards.push('no region would serve: every serving region is excluded');
  return guards;
}

/** Deletes first, so that a batch frees what the next one takes; then by name, type and region. */
function sortUnits(units: readonly Unit[]): Unit[] {
  const order: Record<UnitKind, number> = { delete: 0, replace: 1, adopt: 2, update: 3, create: 4 };
  return [...units].sort(
    (a, b) =>
      order[a.kind] - order[b.kind] ||
      a.hostname.localeCompare(b.hostname) ||
      a.type.localeCompare(b.type) ||
      a.region.localeCompare(b.region),
  );
}

export function isEmpty(plan: DnsPlan): boolean {
  return (
    plan.units.length === 0 &&
    plan.healthChecks.create.length === 0 &&
    plan.healthChecks.update.length === 0 &&
    plan.healthChecks.delete.length === 0 &&
    plan.healthChecks.tag.length === 0
  );
}
