// Reading the zone, planning, and applying in a safe order, against any Route53-compatible API.
import { refRegion, type Desired, type HealthCheckSpec } from './desired.js';
import { callerReference, type ActualHealthCheck } from './health-checks.js';
import { isEmpty, planDns, type Actual, type Change, type DnsPlan, type PlanOptions } from './plan.js';
import type { RecordSet } from './records.js';

/** What the sync needs of Route53; the SDK adapter and the tests' strict model both provide it. */
export interface Route53Api {
  listRecordSets(zoneId: string): Promise<RecordSet[]>;
  listHealthChecks(): Promise<ActualHealthCheck[]>;
  createHealthCheck(callerReference: string, spec: HealthCheckSpec): Promise<string>;
  updateHealthCheck(id: string, spec: HealthCheckSpec): Promise<void>;
  deleteHealthCheck(id: string): Promise<void>;
  /** Submits one change batch; returns its change id. */
  changeRecordSets(zoneId: string, changes: readonly Change[]): Promise<string>;
  /** Resolves when the change is INSYNC; rejects when that takes too long. */
  waitForChange(changeId: string): Promise<void>;
}

export class DnsRefusedError extends Error {
  readonly conflicts: readonly string[];
  readonly guards: readonly string[];
  constructor(plan: DnsPlan, force: boolean) {
    const reasons = [...plan.conflicts, ...(force ? [] : plan.guards)];
    super(
      `refused, nothing changed: ${reasons.join('; ')}${!force && plan.guards.length ? ' (--force allows what is not a conflict)' : ''}`,
    );
    this.name = 'DnsRefusedError';
    this.conflicts = plan.conflicts;
    this.guards = plan.guards;
  }
}

export async function readActual(api: Route53Api, zoneId: string): Promise<Actual> {
  const [records, healthChecks] = await Promise.all([api.listRecordSets(zoneId), api.listHealthChecks()]);
  return { records, healthChecks };
}

export interface ApplyResult {
  readonly batches: number;
  readonly changes: number;
  readonly healthChecks: { readonly created: number; readonly updated: number; readonly deleted: number };
}

export interface ApplyOptions {
  readonly force?: boolean;
  /** Makes health-check caller references unique; a deleted check's reference cannot be reused. */
  readonly nonce: () => string;
}

/**
 * Applies a plan in the one order that is safe at every step: health checks that records will
 * use, then the record batches (deletes first), then the checks nothing uses any more. A failure
 * stops there; what was done is complete in itself, and the next run plans from it.
 */
export async function applyPlan(
  api: Route53Api,
  zoneId: string,
  desired: Desired,
  plan: DnsPlan,
  options: ApplyOptions,
): Promise<ApplyResult> {
  if (plan.conflicts.length || (plan.guards.length && !options.force)) throw new DnsRefusedError(plan, Boolean(options.force));
  const ids = new Map<string, string>();
  for (const spec of plan.healthChecks.create)
    ids.set(spec.region, await api.createHealthCheck(callerReference(desired.ownerId, spec.region, options.nonce()), spec));
  for (const update of plan.healthChecks.update) await api.updateHealthCheck(update.id, update.spec);
  let changes = 0;
  for (const batch of plan.batches) {
    const resolved = batch.map((change) => ({ ...change, record: withHealthCheck(change.record, ids) }));
    await api.waitForChange(await api.changeRecordSets(zoneId, resolved));
    changes += batch.length;
  }
  for (const hc of plan.healthChecks.delete) await api.deleteHealthCheck(hc.id);
  return {
    batches: plan.batches.length,
    changes,
    healthChecks: {
      created: plan.healthChecks.create.length,
      updated: plan.healthChecks.update.length,
      deleted: plan.healthChecks.delete.length,
    },
  };
}

function withHealthCheck(record: RecordSet, ids: ReadonlyMap<string, string>): RecordSet {
  const region = refRegion(record.healthCheckId);
  if (!region) return record;
  const id = ids.get(region);
  if (!id) throw new Error(`no health check was created for ${region}`);
  return { ...record, healthCheckId: id };
}

export interface SyncOptions extends PlanOptions, ApplyOptions {
  readonly dryRun?: boolean;
}

export interface SyncResult {
  readonly plan: DnsPlan;
  readonly applied?: ApplyResult;
}

export async function syncDns(api: Route53Api, zoneId: string, desired: Desired, options: SyncOptions): Promise<SyncResult> {
  const plan = planDns(desired, await readActual(api, zoneId), options);
  if (options.dryRun || (isEmpty(plan) && !plan.conflicts.length)) return { plan };
  return { plan, applied: await applyPlan(api, zoneId, desired, plan, options) };
}
