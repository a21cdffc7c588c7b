// Reading the zone, planning, and applying in a safe order, against any Route53-compatible API.
import { refRegion, type Desired } from './desired.js';
import { callerReference, checkTags, ownCheck, type ActualHealthCheck } from './health-checks.js';
import type { HealthCheckSpec } from './desired.js';
import { isEmpty, planDns, type Actual, type Change, type DnsPlan, type PlanOptions, type RecordProtection } from './plan.js';
import { recordKey, sameRecord, type RecordSet } from './records.js';

/** What the sync needs of Route53; the SDK adapter and the tests' strict model both provide it. */
export interface Route53Api {
  /** The hosted zone's name (GetHostedZone), lower case, without the final dot. */
  getZoneName(zoneId: string): Promise<string>;
  listRecordSets(zoneId: string): Promise<RecordSet[]>;
  /** Every resource record set protection of the zone (ListResourceRecordSetProtections, all pages). */
  listRecordProtections(zoneId: string): Promise<RecordProtection[]>;
  listHealthChecks(): Promise<ActualHealthCheck[]>;
  /** The tags of some health checks (ListTagsForResources), by id. */
  listHealthCheckTags(ids: readonly string[]): Promise<Map<string, Record<string, string>>>;
  createHealthCheck(callerReference: string, spec: HealthCheckSpec): Promise<string>;
  tagHealthCheck(id: string, tags: Readonly<Record<string, string>>): Promise<void>;
  updateHealthCheck(id: string, spec: HealthCheckSpec): Promise<void>;
  deleteHealthCheck(id: string): Promise<void>;
  /** Submits one change batch; returns its change id. */
  changeRecordSets(zoneId: string, changes: readonly Change[]): Promise<string>;
  /** Resolves when the change is INSYNC; rejects when that takes longer than `maxSeconds`. */
  waitForChange(changeId: string, maxSeconds: number): Promise<void>;
}

/** Where long work reports: a line at a time, and a group around each batch (a log group in Actions). */
export interface Logger {
  info(line: string): void;
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
}

export const silent: Logger = { info: () => undefined, group: (_title, work) => work() };

export class DnsRefusedError extends Error {
  readonly conflicts: readonly string[];
  readonly guards: readonly string[];
  readonly refusals: readonly string[];
  constructor(plan: DnsPlan, force: boolean) {
    const reasons = [...plan.refusals, ...(force ? [] : plan.guards)];
    super(
      `refused, nothing changed: ${reasons.join('; ')}${!force && plan.guards.length ? ' (--force allows what is not a conflict)' : ''}`,
    );
    this.name = 'DnsRefusedError';
    this.conflicts = plan.conflicts;
    this.guards = plan.guards;
    this.refusals = plan.refusals;
  }
}

/** Whether a plan is refused as a whole: then nothing is called that changes anything. */
export function isRefused(plan: DnsPlan, force: boolean): boolean {
  return plan.refusals.length > 0 || (plan.guards.length > 0 && !force);
}

const TAGS_PER_CALL = 10; // ListTagsForResources takes at most 10 resource ids.

export async function readActual(api: Route53Api, zoneId: string, ownerId: string): Promise<Actual> {
  const [zoneName, records, listed, protections] = await Promise.all([
    api.getZoneName(zoneId),
    api.listRecordSets(zoneId),
    api.listHealthChecks(),
    api.listRecordProtections(zoneId),
  ]);
  // Tags are read only for the checks whose caller reference names this owner and zone.
  const candidates = listed.filter((hc) => ownCheck({ ownerId, zoneId }, hc)).map((hc) => hc.id);
  const tags = new Map<string, Record<string, string>>();
  for (let i = 0; i < candidates.length; i += TAGS_PER_CALL)
    for (const [id, t] of await api.listHealthCheckTags(candidates.slice(i, i + TAGS_PER_CALL))) tags.set(id, t);
  const healthChecks = listed.map((hc) => {
    const t = tags.get(hc.id);
    return t ? { ...hc, tags: t } : hc;
  });
  return { zoneId, zoneName, records, healthChecks, protections };
}

export interface ApplyResult {
  readonly batches: number;
  readonly changes: number;
  /** Batches whose response was lost but which the zone, read again, holds in full. */
  readonly recovered: number;
  readonly healthChecks: { readonly created: number; readonly updated: number; readonly deleted: number; readonly tagged: number };
}

export interface ApplyOptions {
  readonly force?: boolean;
  /** Makes health-check caller references unique; a deleted check's reference cannot be reused. */
  readonly nonce: () => string;
  readonly log?: Logger;
  /** How long to wait for each batch to be INSYNC (Route53 takes up to a minute or so). */
  readonly insyncSeconds?: number;
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
  if (isRefused(plan, Boolean(options.force))) throw new DnsRefusedError(plan, Boolean(options.force));
  const log = options.log ?? silent;
  const scope = { ownerId: desired.ownerId, zoneId };
  const maxSeconds = options.insyncSeconds ?? 300;
  const ids = new Map<string, string>();
  for (const spec of plan.healthChecks.create) {
    const id = await api.createHealthCheck(callerReference(scope, spec.region, options.nonce()), spec);
    await api.tagHealthCheck(id, checkTags(scope, spec.region));
    log.info(`health check ${id} created for ${spec.region}: ${spec.protocol} ${spec.fqdn}:${spec.port}${spec.path}`);
    ids.set(spec.region, id);
  }
  for (const hc of plan.healthChecks.tag) {
    await api.tagHealthCheck(hc.id, checkTags(scope, hc.region));
    log.info(`health check ${hc.id} of ${hc.region} tagged (the run that made it stopped before tagging it)`);
  }
  for (const update of plan.healthChecks.update) {
    await api.updateHealthCheck(update.id, update.spec);
    log.info(`health check ${update.id} of ${update.spec.region} updated: ${update.fields.join(', ')}`);
  }
  let changes = 0;
  let recovered = 0;
  try {
    for (const [i, batch] of plan.batches.entries()) {
      const resolved = batch.map((change) => ({ ...change, record: withHealthCheck(change.record, ids) }));
      const title = `batch ${i + 1} of ${plan.batches.length}: ${describe(resolved)}`;
      const done = await log.group(title, () => applyBatch(api, zoneId, resolved, log, maxSeconds));
      if (done === 'recovered') recovered += 1;
      changes += batch.length;
    }
  } catch (error) {
    await dropUnused(api, zoneId, [...ids.values()], log);
    throw error;
  }
  for (const hc of plan.healthChecks.delete) {
    // NoSuchHealthCheck is what the SDK's retry gets when the first DeleteHealthCheck was done and
    // its response lost (or another run deleted it meanwhile): the check is gone, as asked.
    const gone = await api.deleteHealthCheck(hc.id).then(
      () => false,
      (error: unknown) => {
        if ((error as { name?: unknown } | undefined)?.name !== 'NoSuchHealthCheck') throw error;
        return true;
      },
    );
    log.info(`health check ${hc.id} of ${hc.region} deleted: no record uses it${gone ? ' (it was already gone)' : ''}`);
  }
  return {
    batches: plan.batches.length,
    changes,
    recovered,
    healthChecks: {
      created: plan.healthChecks.create.length,
      updated: plan.healthChecks.update.length,
      deleted: plan.healthChecks.delete.length,
      tagged: plan.healthChecks.tag.length,
    },
  };
}

/**
 * After a batch failed for good: the checks this run made that no record in the zone uses are
 * deleted, so that a failed run leaves no check behind. A check the zone, read again, uses stays
 * (a batch that used it did land), and so does every check when the zone cannot be read.
 */
async function dropUnused(api: Route53Api, zoneId: string, created: readonly string[], log: Logger): Promise<void> {
  if (!created.length) return;
  const zone = await api.listRecordSets(zoneId).catch(() => undefined);
  if (!zone) return;
  const used = new Set(zone.map((r) => r.healthCheckId).filter(Boolean));
  for (const id of created.filter((c) => !used.has(c))) {
    await api.deleteHealthCheck(id).then(
      () => log.info(`health check ${id} deleted: the run stopped before any record used it`),
      (error: unknown) =>
        log.info(`health check ${id} is left (${error instanceof Error ? error.message : String(error)}): the next run uses or deletes it`),
    );
  }
}

function describe(batch: readonly Change[]): string {
  const n = (action: Change['action']) => batch.filter((c) => c.action === action).length;
  return `${batch.length} change${batch.length === 1 ? '' : 's'} (${n('DELETE')} delete, ${n('UPSERT')} upsert, ${n('CREATE')} create)`;
}

/**
 * One batch, submitted and awaited. When the call fails, the response may have been lost after
 * Route53 committed the batch (the SDK's retry of the same CREATE then fails, the record being
 * there): the zone is read again, and a batch it holds in full counts as done.
 */
async function applyBatch(
  api: Route53Api,
  zoneId: string,
  batch: readonly Change[],
  log: Logger,
  maxSeconds: number,
): Promise<'insync' | 'recovered'> {
  let changeId: string;
  try {
    changeId = await api.changeRecordSets(zoneId, batch);
  } catch (error) {
    log.info(`the change call failed (${error instanceof Error ? error.message : String(error)}); reading the zone again`);
    const zone = await api.listRecordSets(zoneId).catch(() => undefined);
    if (!zone || !holds(zone, batch)) throw error;
    log.info('the zone holds the whole batch: it was committed and only its response was lost; carrying on');
    return 'recovered';
  }
  log.info(`submitted as ${changeId}; waiting for INSYNC, at most ${maxSeconds} s`);
  const started = Date.now();
  await api.waitForChange(changeId, maxSeconds);
  log.info(`INSYNC after ${Math.round((Date.now() - started) / 1000)} s`);
  return 'insync';
}

/** Whether the zone holds what a batch makes: every record written as written, every deleted one gone. */
export function holds(zone: readonly RecordSet[], batch: readonly Change[]): boolean {
  const byKey = new Map(zone.map((r) => [recordKey(r), r]));
  const final = new Map<string, RecordSet | undefined>();
  for (const { action, record } of batch) final.set(recordKey(record), action === 'DELETE' ? undefined : record);
  return [...final].every(([key, record]) => {
    const there = byKey.get(key);
    return record ? Boolean(there && sameRecord(there, record)) : !there;
  });
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
  const plan = planDns(desired, await readActual(api, zoneId, desired.ownerId), options);
  if (options.dryRun || (isEmpty(plan) && !isRefused(plan, Boolean(options.force)))) return { plan };
  return { plan, applied: await applyPlan(api, zoneId, desired, plan, options) };
}
