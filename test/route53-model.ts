// A strict in-memory Route53 for the planner's tests: one hosted zone and the account's health
// checks. moto is laxer than Route53 (it applies a batch change by change, deletes every record of
// a set identifier at once, ignores StartRecordIdentifier, reuses no caller reference, lets latency
// and simple records share a name and type, and lets two latency records answer for one region),
// so the rules moto skips are enforced here, each with the AWS documentation it comes from. The
// model counts a batch's cost by itself, from the published limits, and never with the planner's
// own arithmetic, so that its limit check can fail where the planner is wrong.
import type { HealthCheckSpec } from '../src/core/dns/desired.js';
import type { ActualHealthCheck } from '../src/core/dns/health-checks.js';
import { NLB_HOSTED_ZONES } from '../src/core/dns/load-balancers.js';
import type { Change } from '../src/core/dns/plan.js';
import { recordKey, routingPolicy, sameRecord, type RecordSet } from '../src/core/dns/records.js';
import type { Route53Api } from '../src/core/dns/sync.js';

export class InvalidChangeBatch extends Error {
  constructor(message: string) {
    super(`InvalidChangeBatch: ${message}`);
    this.name = 'InvalidChangeBatch';
  }
}

/** An error as the SDK throws one: its name is the API's error code (NoSuchHealthCheck, …). */
export function awsError(code: string, message = code): Error {
  const error = new Error(message === code ? code : `${code}: ${message}`);
  error.name = code;
  return error;
}

/** Calls whose response the model can lose after committing them, as a dropped connection does. */
export type LosableOperation = 'CreateHealthCheck' | 'DeleteHealthCheck' | 'ChangeTagsForResource';

/**
 * The hosted zones an alias may target, and the domain each holds: each region's Network Load
 * Balancer zone holds `elb.<region>.amazonaws.com` (the table is AWS's, checked against the General
 * Reference's Elastic Load Balancing endpoints; see src/core/dns/load-balancers.ts).
 */
const ALIAS_ZONES: ReadonlyMap<string, string> = new Map(
  Object.entries(NLB_HOSTED_ZONES).map(([region, zone]) => [zone, `elb.${region}.amazonaws.com`]),
);

/** "Quotas" in the Route53 Developer Guide: per ChangeResourceRecordSets request. */
const MAX_RESOURCE_RECORDS = 1000;
const MAX_VALUE_CHARACTERS = 32_000;

export class StrictRoute53 implements Route53Api {
  records = new Map<string, RecordSet>();
  /** Resource record set protections of this zone, by `name|type` (name lower case, final dot). */
  protections = new Map<string, { name: string; type: string; comment?: string }>();
  healthChecks = new Map<string, ActualHealthCheck>();
  tags = new Map<string, Record<string, string>>();
  /** Every call, by operation, as a bill would count them. */
  readonly calls: Record<string, number> = {};
  /** Batches accepted, in order. */
  readonly batches: Change[][] = [];
  /**
   * Fail the n-th ChangeResourceRecordSets call (1-based) with this error, once, changing nothing.
   * With `kill`, the process died there: every later call fails until `restart()`.
   */
  failBatch: { n: number; error: Error; kill?: boolean } | undefined;
  private killed = false;

  /** A new process after a kill: calls go through again. */
  restart(): void {
    this.killed = false;
  }
  /**
   * Commit the n-th ChangeResourceRecordSets call and lose its response: the SDK then sends the
   * same request again, which Route53 judges against the zone the first one left.
   */
  loseResponse: { n: number } | undefined;
  /** Fail the n-th ChangeTagsForResource call: the process died between creating a check and tagging it. */
  failTag: { n: number } | undefined;
  /**
   * Commit the n-th call of an operation and lose its response: the SDK sends the same request
   * again, which Route53 judges against what the first one left (a second DeleteHealthCheck of
   * the same id is NoSuchHealthCheck; a second CreateHealthCheck with the same caller reference
   * and settings returns the same check; a second ChangeTagsForResource sets the same tags).
   */
  loseResponseOf: { operation: LosableOperation; n: number } | undefined;
  /** The n-th GetChange wait times out: the batch is committed, but not INSYNC in time. */
  insyncTimeout: { n: number } | undefined;
  private account = { nextHc: 1, usedReferences: new Map<string, Omit<HealthCheckSpec, 'region'>>() };

  constructor(
    readonly zoneName = 'example.com',
    readonly zoneId = 'Z0TEST',
  ) {}

  /** Another hosted zone of the same account: health checks and their tags are account-wide. */
  otherZone(zoneName: string, zoneId: string): StrictRoute53 {
    const other = new StrictRoute53(zoneName, zoneId);
    other.healthChecks = this.healthChecks;
    other.tags = this.tags;
    other.account = this.account;
    return other;
  }

  private count(op: string): number {
    if (this.killed) throw new Error(`${op}: the process is dead`);
    this.calls[op] = (this.calls[op] ?? 0) + 1;
    return this.calls[op];
  }

  /** Calls that change something: records, health checks or their tags. */
  changeCalls(): number {
    return ['ChangeResourceRecordSets', 'CreateHealthCheck', 'UpdateHealthCheck', 'DeleteHealthCheck', 'ChangeTagsForResource'].reduce(
      (n, op) => n + (this.calls[op] ?? 0),
      0,
    );
  }

  seed(...records: RecordSet[]): void {
    for (const r of records) this.records.set(recordKey(r), r);
  }

  async getZoneName(zoneId: string): Promise<string> {
    this.count('GetHostedZone');
    if (zoneId !== this.zoneId) throw new Error(`NoSuchHostedZone: ${zoneId}`);
    return Promise.resolve(this.zoneName);
  }

  async listRecordSets(zoneId: string): Promise<RecordSet[]> {
    if (zoneId !== this.zoneId) throw awsError('NoSuchHostedZone', `No hosted zone found with ID: ${zoneId}`);
    // ListResourceRecordSets returns at most 300 records a page (MaxItems).
    const all = [...this.records.values()];
    for (let i = 0; i < Math.max(1, Math.ceil(all.length / 300)); i++) this.count('ListResourceRecordSets');
    return Promise.resolve(all);
  }

  /** Protects a name and type, as CreateResourceRecordSetProtections does. */
  protect(name: string, type: string, comment?: string): void {
    const fq = `${name.toLowerCase().replace(/\.$/, '')}.`;
    this.protections.set(`${fq}|${type}`, { name: fq, type, ...(comment ? { comment } : {}) });
  }

  async listRecordProtections(zoneId: string): Promise<{ name: string; type: string; comment?: string }[]> {
    // The model answers in one page; the adapter walks NextToken with the SDK's paginator.
    this.count('ListResourceRecordSetProtections');
    if (zoneId !== this.zoneId) throw awsError('NoSuchHostedZone', `No hosted zone found with ID: ${zoneId}`);
    return Promise.resolve([...this.protections.values()]);
  }

  async listHealthChecks(): Promise<ActualHealthCheck[]> {
    this.count('ListHealthChecks');
    return Promise.resolve([...this.healthChecks.values()]);
  }

  async listHealthCheckTags(ids: readonly string[]): Promise<Map<string, Record<string, string>>> {
    this.count('ListTagsForResources');
    // ListTagsForResources: ResourceIds, "Maximum number of 10 items".
    if (ids.length > 10) throw new Error(`InvalidInput: ${ids.length} resource ids, more than 10`);
    return Promise.resolve(new Map(ids.map((id) => [id, { ...(this.tags.get(id) ?? {}) }])));
  }

  async tagHealthCheck(id: string, tags: Readonly<Record<string, string>>): Promise<void> {
    const n = this.count('ChangeTagsForResource');
    if (this.failTag?.n === n) throw new Error('process killed before ChangeTagsForResource');
    this.setTags(id, tags);
    if (this.lost('ChangeTagsForResource', n)) this.setTags(id, tags);
    return Promise.resolve();
  }

  /** Whether the n-th call of an operation loses its response: then the SDK's retry is counted here. */
  private lost(operation: LosableOperation, n: number): boolean {
    if (this.loseResponseOf?.operation !== operation || this.loseResponseOf.n !== n) return false;
    this.loseResponseOf = undefined;
    this.count(operation);
    return true;
  }

  private setTags(id: string, tags: Readonly<Record<string, string>>): void {
    if (!this.healthChecks.has(id)) throw awsError('NoSuchHealthCheck', id);
    // ChangeTagsForResource: at most 10 tags a call; Tag Key 128 characters, Value 256.
    const entries = Object.entries(tags);
    if (entries.length > 10) throw new Error('InvalidInput: more than 10 tags');
    for (const [k, v] of entries) if (k.length > 128 || v.length > 256) throw new Error(`InvalidInput: tag ${k} is too long`);
    this.tags.set(id, { ...(this.tags.get(id) ?? {}), ...tags });
  }

  async createHealthCheck(reference: string, spec: HealthCheckSpec): Promise<string> {
    const n = this.count('CreateHealthCheck');
    const id = this.makeHealthCheck(reference, spec);
    return Promise.resolve(this.lost('CreateHealthCheck', n) ? this.makeHealthCheck(reference, spec) : id);
  }

  private makeHealthCheck(reference: string, spec: HealthCheckSpec): string {
    const { region: _, ...settings } = spec;
    // CallerReference: "Length Constraints: Minimum length of 1. Maximum length of 64."
    if (reference.length > 64) throw new Error(`InvalidInput: CallerReference ${reference} is over 64 characters`);
    // CreateHealthCheck: the same reference and settings return the existing check; the same
    // reference with other settings, or that of a deleted check, is HealthCheckAlreadyExists.
    const existing = [...this.healthChecks.values()].find((h) => h.callerReference === reference);
    if (existing && JSON.stringify(existing.spec) === JSON.stringify(settings)) return existing.id;
    if (this.account.usedReferences.has(reference)) throw awsError('HealthCheckAlreadyExists');
    this.account.usedReferences.set(reference, settings);
    const id = `hc-${this.account.nextHc++}`;
    this.healthChecks.set(id, { id, callerReference: reference, spec: settings });
    return id;
  }

  async updateHealthCheck(id: string, spec: HealthCheckSpec): Promise<void> {
    this.count('UpdateHealthCheck');
    const hc = this.healthChecks.get(id);
    if (!hc) throw awsError('NoSuchHealthCheck');
    // UpdateHealthCheck cannot change Type or RequestInterval.
    if (hc.spec.protocol !== spec.protocol || hc.spec.interval !== spec.interval)
      throw new Error('InvalidInput: Type and RequestInterval cannot be updated');
    const { region: _, ...settings } = spec;
    this.healthChecks.set(id, { ...hc, spec: settings });
    return Promise.resolve();
  }

  async deleteHealthCheck(id: string): Promise<void> {
    const n = this.count('DeleteHealthCheck');
    this.removeHealthCheck(id);
    // The retry after a lost response finds the check gone: NoSuchHealthCheck.
    if (this.lost('DeleteHealthCheck', n)) this.removeHealthCheck(id);
    return Promise.resolve();
  }

  private removeHealthCheck(id: string): void {
    // "Route 53 does not prevent you from deleting a health check even if the health check is
    // associated with one or more resource record sets": no check of the records here.
    if (!this.healthChecks.delete(id)) throw awsError('NoSuchHealthCheck', `No health check exists with the specified ID ${id}`);
    this.tags.delete(id);
  }

  async changeRecordSets(zoneId: string, changes: readonly Change[]): Promise<string> {
    const n = this.count('ChangeResourceRecordSets');
    if (zoneId !== this.zoneId) throw new Error(`NoSuchHostedZone: ${zoneId}`);
    if (this.failBatch?.n === n) {
      const { error, kill } = this.failBatch;
      this.failBatch = undefined;
      if (kill) this.killed = true;
      throw error;
    }
    this.apply(changes);
    if (this.loseResponse?.n === n) {
      this.loseResponse = undefined;
      // The SDK's retry of the very same request, against the zone the first attempt left.
      this.count('ChangeResourceRecordSets');
      this.apply(changes);
    }
    return Promise.resolve(`change-${this.batches.length}`);
  }

  async waitForChange(changeId: string, maxSeconds: number): Promise<void> {
    const n = this.count('GetChange');
    if (this.insyncTimeout?.n === n) {
      this.insyncTimeout = undefined;
      throw new Error(`change ${changeId} was not INSYNC after ${maxSeconds} s`);
    }
    return Promise.resolve();
  }

  /** The batch's cost, counted from the published rule alone. */
  static cost(changes: readonly Change[]): { resourceRecords: number; characters: number } {
    let resourceRecords = 0;
    let characters = 0;
    for (const { action, record } of changes) {
      // "When the value of the Action element is UPSERT, each ResourceRecord element is counted
      // twice", and so is each character of a Value. An alias record has no ResourceRecord.
      const twice = action === 'UPSERT' ? 2 : 1;
      const values = record.aliasTarget ? [] : (record.values ?? []);
      resourceRecords += twice * values.length;
      characters += twice * values.join('').length;
    }
    return { resourceRecords, characters };
  }

  private apply(changes: readonly Change[]): void {
    const cost = StrictRoute53.cost(changes);
    if (cost.resourceRecords > MAX_RESOURCE_RECORDS)
      throw new InvalidChangeBatch(`${cost.resourceRecords} ResourceRecord elements, more than ${MAX_RESOURCE_RECORDS}`);
    if (cost.characters > MAX_VALUE_CHARACTERS)
      throw new InvalidChangeBatch(`${cost.characters} characters of values, more than ${MAX_VALUE_CHARACTERS}`);
    // "If a resource record set protection exists for a name and type, Route 53 rejects any change
    // in the change batch that creates, updates, or deletes a resource record set with that name
    // and type": the whole request fails, naming each protected set (ChangeResourceRecordSets).
    const hit = changes.map(({ record }) => this.protections.get(`${record.name.toLowerCase()}|${record.type}`)).filter(Boolean);
    if (hit.length)
      throw new InvalidChangeBatch(
        [...new Set(hit.map((p) => `${p?.name} ${p?.type} is protected${p?.comment ? ` (${p.comment})` : ''}`))].join('; '),
      );
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
  }

  private checkShape(record: RecordSet): void {
    const name = record.name.replace(/\.$/, '');
    // Names are ASCII; anything else goes in as punycode or octal escapes (Developer Guide,
    // "DNS domain name format"). A name is at most 255 octets on the wire, 253 written out,
    // and a label at most 63 (RFC 1035 2.3.4).
    if (Array.from(name).some((ch) => (ch.codePointAt(0) ?? 0) > 0x7f)) throw new Error(`InvalidInput: ${name} is not ASCII`);
    if (name.length > 253 || name.split('.').some((l) => l.length > 63 || l.length === 0))
      throw new InvalidChangeBatch(`${name} is not a valid DNS name`);
    // "RRSet with DNS name … is not permitted in zone …": a zone holds its own name and below.
    if (name !== this.zoneName && !name.endsWith(`.${this.zoneName}`))
      throw new InvalidChangeBatch(`RRSet with DNS name ${record.name} is not permitted in zone ${this.zoneName}.`);
    // Alias records have no TTL and no ResourceRecords; other records need both.
    if (record.aliasTarget && (record.ttl !== undefined || record.values?.length))
      throw new InvalidChangeBatch(`${recordKey(record)}: an alias record has no TTL or values`);
    if (!record.aliasTarget && (record.ttl === undefined || !record.values?.length))
      throw new InvalidChangeBatch(`${recordKey(record)}: TTL and values are required`);
    // "You can only specify one ResourceRecord per latency resource record set."
    if (routingPolicy(record) === 'latency' && (record.values?.length ?? 0) > 1)
      throw new InvalidChangeBatch(`${recordKey(record)}: a latency record has one value`);
    // A TXT character-string is at most 255 characters (RFC 1035 3.3).
    if (record.type === 'TXT' && record.values?.some((v) => v.replace(/^"|"$/g, '').length > 255))
      throw new InvalidChangeBatch(`${recordKey(record)}: a TXT string over 255 characters`);
    // A record with a routing policy needs a SetIdentifier; a simple record must not have one.
    if ((routingPolicy(record) === 'simple') !== (record.setIdentifier === undefined))
      throw new InvalidChangeBatch(`${recordKey(record)}: SetIdentifier goes with a routing policy`);
    if (record.aliasTarget) this.checkAliasTarget(record, record.aliasTarget);
    if (record.healthCheckId && !this.healthChecks.has(record.healthCheckId))
      throw new InvalidChangeBatch(`${recordKey(record)}: health check ${record.healthCheckId} does not exist`);
  }

  /**
   * AliasTarget (API reference): HostedZoneId is the target's hosted zone (for an ELB load balancer,
   * the zone of its kind and region), and its DNSName must lie within that zone; Route53 answers
   * "Tried to create an alias that targets …, but the alias target name does not lie within the
   * target zone". An alias to a record of the same hosted zone names this zone.
   */
  private checkAliasTarget(record: RecordSet, target: NonNullable<RecordSet['aliasTarget']>): void {
    const domain = target.hostedZoneId === this.zoneId ? this.zoneName : ALIAS_ZONES.get(target.hostedZoneId);
    const name = target.dnsName.toLowerCase().replace(/\.$/, '');
    if (!domain || (name !== domain && !name.endsWith(`.${domain}`)))
      throw new InvalidChangeBatch(
        `Tried to create an alias that targets ${target.dnsName}, type ${record.type} in zone ${target.hostedZoneId}, but the alias target name does not lie within the target zone`,
      );
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
      // "You can only create one latency resource record set for each Amazon EC2 Region."
      const regions = records.filter((r) => r.region).map((r) => r.region);
      const twice = regions.find((r, i) => regions.indexOf(r) !== i);
      if (twice) throw new InvalidChangeBatch(`${nameType}: two latency records for ${twice}`);
    }
    // RFC 1034 3.6.2, which Route53 enforces: "RRSet of type CNAME with DNS name … is not
    // permitted as it conflicts with other records with the same DNS name".
    for (const r of zone.values()) {
      if (r.type === 'CNAME' && [...zone.values()].some((o) => o.name === r.name && o.type !== 'CNAME'))
        throw new InvalidChangeBatch(`RRSet of type CNAME with DNS name ${r.name} conflicts with other records with the same DNS name`);
    }
  }
}
