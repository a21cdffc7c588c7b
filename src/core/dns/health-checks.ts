// Health checks: one per serving region on its edge, ours by caller reference and tags scoped to
// one owner id and one hosted zone, updated in place where Route53 allows and replaced where it
// does not. Route53 lets anyone delete a check that records still use, so nothing here deletes a
// check that any record in the zone references.
import type { Desired, HealthCheckSpec } from './desired.js';
import type { RecordSet } from './records.js';

export interface ActualHealthCheck {
  readonly id: string;
  readonly callerReference: string;
  readonly spec: Omit<HealthCheckSpec, 'region'>;
  /** The check's tags; read only for checks whose caller reference makes them ours. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface HealthCheckPlan {
  readonly create: readonly HealthCheckSpec[];
  readonly update: readonly { readonly id: string; readonly spec: HealthCheckSpec; readonly fields: readonly string[] }[];
  readonly delete: readonly { readonly id: string; readonly region: string }[];
  /** Checks of ours without our tags (the run that made them stopped before tagging them). */
  readonly tag: readonly { readonly id: string; readonly region: string }[];
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** A short, stable tag of a string for caller references (which hold 64 characters at most). */
export function shortTag(text: string): string {
  let hash = FNV_OFFSET;
  for (const ch of text) hash = Math.imul(hash ^ (ch.codePointAt(0) ?? 0), FNV_PRIME) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/** A hosted zone id as Route53 returns it in some places (`/hostedzone/Z…`), without the prefix. */
export function bareZoneId(zoneId: string): string {
  return zoneId.replace(/^\/?hostedzone\//, '');
}

export interface CheckScope {
  readonly ownerId: string;
  readonly zoneId: string;
}

/** Caller reference of a check: `kubecdn-<owner tag>-<zone tag>-<region>-<nonce>`, 49 characters at most. */
export function callerReference(scope: CheckScope, region: string, nonce: string): string {
  return `kubecdn-${shortTag(scope.ownerId)}-${shortTag(bareZoneId(scope.zoneId))}-${region}-${nonce}`;
}

export const TAG_OWNER = 'kubecdn:owner';
export const TAG_ZONE = 'kubecdn:zone';
export const TAG_REGION = 'kubecdn:region';

/** The tags a check of ours carries: the full owner id and zone id, which the reference only hashes. */
export function checkTags(scope: CheckScope, region: string): Record<string, string> {
  return { Name: `kubecdn ${region}`, [TAG_OWNER]: scope.ownerId, [TAG_ZONE]: bareZoneId(scope.zoneId), [TAG_REGION]: region };
}

/** The region of a check whose caller reference names this owner and zone, else undefined. */
export function referenceRegion(scope: CheckScope, reference: string): string | undefined {
  const prefix = `kubecdn-${shortTag(scope.ownerId)}-${shortTag(bareZoneId(scope.zoneId))}-`;
  if (!reference.startsWith(prefix)) return undefined;
  const rest = reference.slice(prefix.length);
  return rest.slice(0, rest.lastIndexOf('-')) || undefined;
}

/**
 * Whether a check is ours in this zone: its caller reference says so, and its tags, when it has
 * ours, agree in full (a hash shared by chance with another owner or zone is not enough). A check
 * with the reference and no tags of ours is ours, to be tagged.
 */
export function ownCheck(scope: CheckScope, hc: ActualHealthCheck): { region: string; untagged: boolean } | undefined {
  const region = referenceRegion(scope, hc.callerReference);
  if (!region) return undefined;
  const tags = hc.tags ?? {};
  if (tags[TAG_OWNER] === undefined && tags[TAG_ZONE] === undefined) return { region, untagged: true };
  return tags[TAG_OWNER] === scope.ownerId && tags[TAG_ZONE] === bareZoneId(scope.zoneId) ? { region, untagged: false } : undefined;
}

/** Fields Route53's UpdateHealthCheck cannot change: a new check replaces the old one. */
const IMMUTABLE: readonly (keyof HealthCheckSpec)[] = ['protocol', 'interval'];
const MUTABLE: readonly (keyof HealthCheckSpec)[] = ['fqdn', 'path', 'port', 'failureThreshold'];

const differing = (hc: ActualHealthCheck, spec: HealthCheckSpec, fields: readonly (keyof HealthCheckSpec)[]) =>
  fields.filter((f) => hc.spec[f as keyof ActualHealthCheck['spec']] !== spec[f]);

/**
 * What to create, update, tag and delete, and the id of each region's check that stays. A check
 * whose region no longer serves is deleted, unless the region is left untouched this run; the
 * planner then keeps any that a record left in the zone still uses (`keepReferenced`).
 */
export function planHealthChecks(
  scope: CheckScope,
  desired: Pick<Desired, 'untouched'>,
  actual: { readonly records: readonly RecordSet[]; readonly healthChecks: readonly ActualHealthCheck[] },
  /** Regions whose records this run writes or keeps: only they get a check. */
  wanted: readonly HealthCheckSpec[],
): { plan: HealthCheckPlan; ids: Map<string, string> } {
  // An untagged check's claim rests on a 32-bit hash of the owner and zone: it is ours only when it
  // also checks one of our edges in its region (its FQDN is that region's target this run).
  // Otherwise it is left alone, never tagged or deleted.
  const ours = actual.healthChecks.flatMap((hc) => {
    const own = ownCheck(scope, hc);
    if (own?.untagged && !wanted.some((s) => s.region === own.region && s.fqdn === hc.spec.fqdn)) return [];
    return own ? [{ ...hc, ...own }] : [];
  });
  const usedNow = new Set(actual.records.map((r) => r.healthCheckId).filter(Boolean));
  const ids = new Map<string, string>();
  const create: HealthCheckSpec[] = [];
  const update: { id: string; spec: HealthCheckSpec; fields: string[] }[] = [];
  const drop: { id: string; region: string }[] = [];
  for (const spec of wanted) {
    // A crash can leave two checks for a region (made, never used; or used, old one not yet
    // deleted). The one that already fits is kept, then the one in use: the next run finishes
    // a replacement rather than starting another.
    const rank = (hc: (typeof ours)[number]) =>
      (differing(hc, spec, IMMUTABLE).length ? 4 : 0) + (differing(hc, spec, MUTABLE).length ? 2 : 0) + (usedNow.has(hc.id) ? 0 : 1);
    const candidates = ours.filter((hc) => hc.region === spec.region).sort((a, b) => rank(a) - rank(b));
    const [current, ...extra] = candidates;
    drop.push(...extra.map((hc) => ({ id: hc.id, region: hc.region })));
    if (!current || differing(current, spec, IMMUTABLE).length) {
      create.push(spec);
      if (current) drop.push({ id: current.id, region: current.region });
      continue;
    }
    ids.set(spec.region, current.id);
    const fields = differing(current, spec, MUTABLE);
    if (fields.length) update.push({ id: current.id, spec, fields });
  }
  for (const hc of ours) {
    const stays = wanted.some((s) => s.region === hc.region);
    if (!stays && !desired.untouched.includes(hc.region)) drop.push({ id: hc.id, region: hc.region });
  }
  const tag = ours.filter((hc) => hc.untagged && !drop.some((d) => d.id === hc.id)).map((hc) => ({ id: hc.id, region: hc.region }));
  return { plan: { create, update, delete: drop, tag }, ids };
}

/** The plan without deleting any check that a record left in the zone after the run still uses. */
export function keepReferenced(
  plan: HealthCheckPlan,
  referenced: ReadonlySet<string>,
): { plan: HealthCheckPlan; kept: { id: string; region: string }[] } {
  const kept = plan.delete.filter((hc) => referenced.has(hc.id));
  return { plan: { ...plan, delete: plan.delete.filter((hc) => !referenced.has(hc.id)) }, kept };
}

/**
 * Checks made by earlier versions for this owner, whose caller reference (`kubecdn-<owner
 * hash>-<region>-<nonce>`) names no zone: no longer claimed, so never changed or deleted, but listed
 * by id so that they are not forgotten (each counts against the account's health-check quota).
 */
export function legacyChecks(ownerId: string, checks: readonly ActualHealthCheck[]): { id: string; region: string }[] {
  const prefix = `kubecdn-${shortTag(ownerId)}-`;
  return checks.flatMap((hc) => {
    if (!hc.callerReference.startsWith(prefix)) return [];
    const rest = hc.callerReference.slice(prefix.length);
    // Today's references go on with the zone's 8-hex-digit tag; a region code never looks like one.
    if (/^[0-9a-f]{8}-/.test(rest)) return [];
    const region = rest.slice(0, rest.lastIndexOf('-'));
    return region ? [{ id: hc.id, region }] : [];
  });
}
