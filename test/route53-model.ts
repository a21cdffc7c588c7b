// A strict in-memory Route53 for the planner's tests. moto is laxer than Route53 (it applies a
// batch change by change, accepts some duplicates, ignores StartRecordIdentifier and lets latency
// and simple records share a name and type), so the rules moto skips are enforced here, each with
// the AWS documentation it comes from.
import type { HealthCheckSpec } from '../src/core/dns/desired.js';
import type { ActualHealthCheck } from '../src/core/dns/health-checks.js';
import { changeCost, ROUTE53_LIMITS, type Change } from '../src/core/dns/plan.js';
import { recordKey, routingPolicy, sameRecord, type RecordSet } from '../src/core/dns/records.js';

export class InvalidChangeBatch extends Error {
  constructor(message: string) {
    super(`InvalidChangeBatch: ${message}`);
  }
}

export class StrictRoute53 {
  records = new Map<string, RecordSet>();
  healthChecks = new Map<string, ActualHealthCheck>();
  /** Every call, by operation, as a bill would count them. */
  readonly calls: Record<string, number> = {};
  /** Batches accepted, in order. */
  readonly batches: Change[][] = [];
  /** Fail the n-th ChangeResourceRecordSets call (1-based) with this error, once. */
  failBatch: { n: number; error: Error } | undefined;
  private nextHc = 1;
  private usedReferences = new Set<string>();

  private count(op: string): void {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
  }

  changeCalls(): number {
    return (
      (this.calls['ChangeResourceRecordSets'] ?? 0) +
      (this.calls['CreateHealthCheck'] ?? 0) +
      (this.calls['UpdateHealthCheck'] ?? 0) +
      (this.calls['DeleteHealthCheck'] ?? 0)
    );
  }

  seed(...records: RecordSet[]): void {
    for (const r of records) this.records.set(recordKey(r), r);
  }

  async listRecordSets(): Promise<RecordSet[]> {
    // ListResourceRecordSets returns at most 300 records a page (MaxItems).
    const all = [...this.records.values()];
    for (let i = 0; i < Math.max(1, Math.ceil(all.length / 300)); i++) this.count('ListResourceRecordSets');
    return Promise.resolve(all);
  }

  async listHealthChecks(): Promise<ActualHealthCheck[]> {
    this.count('ListHealthChecks');
    return Promise.resolve([...this.healthChecks.values()]);
  }

  async createHealthCheck(reference: string, spec: HealthCheckSpec): Promise<string> {
    this.count('CreateHealthCheck');
    // CreateHealthCheck: a CallerReference of a deleted health check cannot be used again
    // (HealthCheckAlreadyExists); the same reference and settings return the existing check.
    const existing = [...this.healthChecks.values()].find((h) => h.callerReference === reference);
    if (existing) return Promise.resolve(existing.id);
    if (this.usedReferences.has(reference)) throw new Error('HealthCheckAlreadyExists');
    this.usedReferences.add(reference);
    const id = `hc-${this.nextHc++}`;
    const { region, ...rest } = spec;
    this.healthChecks.set(id, { id, callerReference: reference, spec: rest });
    return Promise.resolve(id);
  }

  async updateHealthCheck(id: string, spec: HealthCheckSpec): Promise<void> {
    this.count('UpdateHealthCheck');
    const hc = this.healthChecks.get(id);
    if (!hc) throw new Error('NoSuchHealthCheck');
    // UpdateHealthCheck cannot change Type or RequestInterval.
    if (hc.spec.protocol !== spec.protocol || hc.spec.interval !== spec.interval)
      throw new Error('InvalidInput: Type and RequestInterval cannot be updated');
    const { region, ...rest } = spec;
    this.healthChecks.set(id, { ...hc, spec: rest });
    return Promise.resolve();
  }

  async deleteHealthCheck(id: string): Promise<void> {
    this.count('DeleteHealthCheck');
    if (!this.healthChecks.delete(id)) throw new Error('NoSuchHealthCheck');
    return Promise.resolve();
  }

  async changeRecordSets(_zoneId: string, changes: readonly Change[]): Promise<string> {
    this.count('ChangeResourceRecordSets');
    const n = this.calls['ChangeResourceRecordSets'] ?? 0;
    if (this.failBatch?.n === n) {
      const { error } = this.failBatch;
      this.failBatch = undefined;
      throw error;
    }
    // ChangeResourceRecordSets limits: 1,000 ResourceRecord elements and 32,000 characters of
    // Value, UPSERT counted twice.
    const cost = changes
      .map(changeCost)
      .reduce((a, c) => ({ elements: a.elements + c.elements, characters: a.characters + c.characters }), { elements: 0, characters: 0 });
    if (cost.elements > ROUTE53_LIMITS.elements) throw new InvalidChangeBatch(`${cost.elements} ResourceRecord elements, more than 1000`);
    if (cost.characters > ROUTE53_LIMITS.characters)
      throw new InvalidChangeBatch(`${cost.characters} characters of values, more than 32000`);
    // "Change batches are considered transactional changes": all of a batch, or none of it.
    const next = new Map(this.records);
    const deleted = new Set<string>();
    for (const { action, record } of changes) {
      const key = recordKey(record);
      this.checkShape(record);
      if (action === 'DELETE') {
        // You cannot delete the same resource record set more than once in a single batch.
        if (deleted.has(key)) throw new InvalidChangeBatch(`${key} is deleted twice in one batch`);
        deleted.add(key);
        const current = next.get(key);
        // ResourceRecord: on DELETE, values that do not match the current ones are an error.
        if (!current || !sameRecord(current, record))
          throw new InvalidChangeBatch(
            `Tried to delete resource record set [${key}] but it was not found or the values provided do not match the current values`,
          );
        next.delete(key);
      } else {
        if (action === 'CREATE' && next.has(key))
          throw new InvalidChangeBatch(`Tried to create resource record set [${key}] but it already exists`);
        next.set(key, record);
      }
    }
    this.checkZone(next);
    this.records = next;
    this.batches.push([...changes]);
    return Promise.resolve(`change-${this.batches.length}`);
  }

  async waitForChange(): Promise<void> {
    this.count('GetChange');
    return Promise.resolve();
  }

  private checkShape(record: RecordSet): void {
    // Alias records have no TTL and no ResourceRecords; other records need both.
    if (record.aliasTarget && (record.ttl !== undefined || record.values?.length))
      throw new InvalidChangeBatch(`${recordKey(record)}: an alias record has no TTL or values`);
    if (!record.aliasTarget && (record.ttl === undefined || !record.values?.length))
      throw new InvalidChangeBatch(`${recordKey(record)}: TTL and values are required`);
    // A record with a routing policy needs a SetIdentifier; a simple record must not have one.
    if ((routingPolicy(record) === 'simple') !== (record.setIdentifier === undefined))
      throw new InvalidChangeBatch(`${recordKey(record)}: SetIdentifier goes with a routing policy`);
    if (record.healthCheckId && !this.healthChecks.has(record.healthCheckId))
      throw new InvalidChangeBatch(`${recordKey(record)}: health check ${record.healthCheckId} does not exist`);
  }

  private checkZone(zone: ReadonlyMap<string, RecordSet>): void {
    const byNameType = new Map<string, RecordSet[]>();
    for (const r of zone.values()) byNameType.set(`${r.name}|${r.type}`, [...(byNameType.get(`${r.name}|${r.type}`) ?? []), r]);
    for (const [nameType, records] of byNameType) {
      // Records of one name and type share one routing policy ("you can't create non-latency
      // resource record sets that have the same values for the Name and Type elements as latency
      // resource record sets"), and a simple record stands alone.
      const policies = new Set(records.map(routingPolicy));
      if (policies.size > 1)
        throw new InvalidChangeBatch(`${nameType}: ${[...policies].join(' and ')} records cannot share a name and type`);
      if (policies.has('simple') && records.length > 1) throw new InvalidChangeBatch(`${nameType}: more than one simple record`);
    }
    // RFC 1034 3.6.2, which Route53 enforces: a CNAME cannot share its name with other records.
    for (const r of zone.values()) {
      if (r.type === 'CNAME' && [...zone.values()].some((o) => o.name === r.name && o.type !== 'CNAME'))
        throw new InvalidChangeBatch(`${r.name}: a CNAME cannot share its name`);
    }
  }
}
