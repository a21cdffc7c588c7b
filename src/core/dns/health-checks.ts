// Health checks: one per serving region on its edge, ours by caller reference, updated in place
// where Route53 allows and replaced where it does not.
import type { Desired, HealthCheckSpec } from './desired.js';
import type { RecordSet } from './records.js';

export interface ActualHealthCheck {
  readonly id: string;
  readonly callerReference: string;
  readonly spec: Omit<HealthCheckSpec, 'region'>;
}

export interface HealthCheckPlan {
  readonly create: readonly HealthCheckSpec[];
  readonly update: readonly { readonly id: string; readonly spec: HealthCheckSpec; readonly fields: readonly string[] }[];
  readonly delete: readonly { readonly id: string; readonly region: string }[];
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** A short, stable tag of the owner id for health-check caller references (64 characters at most). */
export function ownerTag(ownerId: string): string {
  let hash = FNV_OFFSET;
  for (const ch of ownerId) hash = Math.imul(hash ^ (ch.codePointAt(0) ?? 0), FNV_PRIME) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/** Health checks are ours by their caller reference: `kubecdn-<owner tag>-<region>-<nonce>`. */
export function callerReference(ownerId: string, region: string, nonce: string): string {
  return `kubecdn-${ownerTag(ownerId)}-${region}-${nonce}`;
}

export function healthCheckRegion(ownerId: string, reference: string): string | undefined {
  const prefix = `kubecdn-${ownerTag(ownerId)}-`;
  if (!reference.startsWith(prefix)) return undefined;
  const rest = reference.slice(prefix.length);
  return rest.slice(0, rest.lastIndexOf('-')) || undefined;
}

/** Fields Route53's UpdateHealthCheck cannot change: a new check replaces the old one. */
const IMMUTABLE: readonly (keyof HealthCheckSpec)[] = ['protocol', 'interval'];
const MUTABLE: readonly (keyof HealthCheckSpec)[] = ['fqdn', 'path', 'port', 'failureThreshold'];

/**
 * What to create, update and delete, and the id of each region's check that stays. A check whose
 * region no longer serves is deleted, unless the region is left untouched this run.
 */
export function planHealthChecks(
  desired: Desired,
  actual: { readonly records: readonly RecordSet[]; readonly healthChecks: readonly ActualHealthCheck[] },
): { plan: HealthCheckPlan; ids: Map<string, string> } {
  const ours = actual.healthChecks.flatMap((hc) => {
    const region = healthCheckRegion(desired.ownerId, hc.callerReference);
    return region ? [{ ...hc, region }] : [];
  });
  const referenced = new Set(actual.records.map((r) => r.healthCheckId).filter(Boolean));
  const healthCheckId = new Map<string, string>();
  const hcCreate: HealthCheckSpec[] = [];
  const hcUpdate: { id: string; spec: HealthCheckSpec; fields: string[] }[] = [];
  const hcDelete: { id: string; region: string }[] = [];
  for (const spec of desired.healthChecks) {
    // A crash between creating a check and using it can leave two; keep the one in use.
    const candidates = ours
      .filter((hc) => hc.region === spec.region)
      .sort((a, b) => Number(referenced.has(b.id)) - Number(referenced.has(a.id)));
    const [current, ...extra] = candidates;
    hcDelete.push(...extra.map((hc) => ({ id: hc.id, region: hc.region })));
    if (!current || IMMUTABLE.some((f) => current.spec[f as keyof typeof current.spec] !== spec[f])) {
      hcCreate.push(spec);
      if (current) hcDelete.push({ id: current.id, region: current.region });
      continue;
    }
    healthCheckId.set(spec.region, current.id);
    const fields = MUTABLE.filter((f) => current.spec[f as keyof typeof current.spec] !== spec[f]);
    if (fields.length) hcUpdate.push({ id: current.id, spec, fields });
  }
  for (const hc of ours) {
    const wanted = desired.healthChecks.some((s) => s.region === hc.region);
    if (!wanted && !desired.untouched.includes(hc.region)) hcDelete.push({ id: hc.id, region: hc.region });
  }
  return { plan: { create: hcCreate, update: hcUpdate, delete: hcDelete }, ids: healthCheckId };
}
