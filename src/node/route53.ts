// The DNS core's Route53Api over the AWS SDK. The endpoint is the SDK's own configuration
// (AWS_ENDPOINT_URL_ROUTE_53 works); retries with backoff on Throttling, PriorRequestNotComplete
// and 5xx are the SDK's standard retry strategy, given more attempts than its default. Health
// checks are listed with the SDK's paginator and changes awaited with its waiter; records are
// paged by hand, as the SDK has no paginator for ListResourceRecordSets (its next page is named
// by three tokens).
import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  DeleteHealthCheckCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourcesCommand,
  paginateListHealthChecks,
  paginateListResourceRecordSetProtections,
  Route53Client,
  UpdateHealthCheckCommand,
  waitUntilResourceRecordSetsChanged,
  type ResourceRecordSet,
  type RRType,
} from '@aws-sdk/client-route-53';
import type { HealthCheckSpec } from '../core/dns/desired.js';
import type { ActualHealthCheck } from '../core/dns/health-checks.js';
import type { Change, RecordProtection } from '../core/dns/plan.js';
import { fqdn, recordKey, type RecordSet } from '../core/dns/records.js';
import type { Route53Api } from '../core/dns/sync.js';

export interface Route53Options {
  /** Attempts a call gets, retries included. */
  readonly maxAttempts?: number;
  /** Shortest and longest pause between GetChange polls, in seconds (the SDK waiter's own). */
  readonly pollSeconds?: { readonly min: number; readonly max: number };
  /** Counts each API call by operation, for benchmarks and tests. */
  readonly onCall?: (operation: string) => void;
}

export function fromSdk(rr: ResourceRecordSet): RecordSet {
  const other = rr.GeoLocation
    ? 'geolocation'
    : rr.MultiValueAnswer
      ? 'multivalue'
      : rr.CidrRoutingConfig
        ? 'cidr'
        : rr.GeoProximityLocation
          ? 'geoproximity'
          : undefined;
  return {
    name: fqdn(rr.Name ?? ''),
    type: rr.Type ?? '',
    ...(rr.SetIdentifier !== undefined ? { setIdentifier: rr.SetIdentifier } : {}),
    ...(rr.Region ? { region: rr.Region } : {}),
    ...(rr.Weight !== undefined ? { weight: rr.Weight } : {}),
    ...(rr.Failover ? { failover: rr.Failover } : {}),
    ...(other ? { otherPolicy: other } : {}),
    ...(rr.TTL !== undefined ? { ttl: rr.TTL } : {}),
    ...(rr.ResourceRecords?.length ? { values: rr.ResourceRecords.map((v) => v.Value ?? '') } : {}),
    ...(rr.AliasTarget
      ? {
          aliasTarget: {
            hostedZoneId: rr.AliasTarget.HostedZoneId ?? '',
            dnsName: fqdn(rr.AliasTarget.DNSName ?? ''),
            evaluateTargetHealth: Boolean(rr.AliasTarget.EvaluateTargetHealth),
          },
        }
      : {}),
    ...(rr.HealthCheckId ? { healthCheckId: rr.HealthCheckId } : {}),
  };
}

export function toSdk(record: RecordSet): ResourceRecordSet {
  if (record.otherPolicy) throw new Error(`${recordKey(record)}: kubeCDN does not write ${record.otherPolicy} records`);
  return {
    Name: record.name,
    Type: record.type as RRType,
    ...(record.setIdentifier !== undefined ? { SetIdentifier: record.setIdentifier } : {}),
    ...(record.region ? { Region: record.region as ResourceRecordSet['Region'] } : {}),
    ...(record.weight !== undefined ? { Weight: record.weight } : {}),
    ...(record.failover ? { Failover: record.failover as ResourceRecordSet['Failover'] } : {}),
    ...(record.ttl !== undefined && !record.aliasTarget ? { TTL: record.ttl } : {}),
    ...(record.values && !record.aliasTarget ? { ResourceRecords: record.values.map((Value) => ({ Value })) } : {}),
    ...(record.aliasTarget
      ? {
          AliasTarget: {
            HostedZoneId: record.aliasTarget.hostedZoneId,
            DNSName: record.aliasTarget.dnsName,
            EvaluateTargetHealth: record.aliasTarget.evaluateTargetHealth,
          },
        }
      : {}),
    ...(record.healthCheckId ? { HealthCheckId: record.healthCheckId } : {}),
  };
}

export function route53(options: Route53Options = {}): Route53Api {
  // Route53 is global; its API is signed for us-east-1 whatever AWS_REGION says.
  const client = new Route53Client({ region: 'us-east-1', maxAttempts: options.maxAttempts ?? 10 });
  const onCall = options.onCall;
  if (onCall) {
    // Counted once per call, before the SDK's retries: the calls the sync decided to make.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        onCall(context.commandName?.replace(/Command$/, '') ?? 'unknown');
        return next(args);
      },
      { step: 'initialize', name: 'kubecdnCallCounter' },
    );
  }

  return {
    async listRecordSets(zoneId) {
      const found = new Map<string, RecordSet>();
      let start: { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string } = {};
      for (;;) {
        const page = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 300, ...start }));
        let progress = false;
        for (const rr of page.ResourceRecordSets ?? []) {
          const record = fromSdk(rr);
          if (!found.has(recordKey(record))) progress = true;
          found.set(recordKey(record), record);
        }
        if (!page.IsTruncated) return [...found.values()];
        // An endpoint without NextRecordIdentifier (moto) restarts a page at the name and type;
        // what was seen is skipped, and a page with nothing new ends the walk with an error
        // rather than a loop.
        if (!progress)
          throw new Error(
            `ListResourceRecordSets returned no new record after ${page.NextRecordName ?? ''} ${page.NextRecordType ?? ''}: the endpoint does not page by record identifier`,
          );
        start = {
          ...(page.NextRecordName ? { StartRecordName: page.NextRecordName } : {}),
          ...(page.NextRecordType ? { StartRecordType: page.NextRecordType } : {}),
          ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
        };
      }
    },

    async listRecordProtections(zoneId) {
      const found: RecordProtection[] = [];
      try {
        for await (const page of paginateListResourceRecordSetProtections({ client }, { HostedZoneId: zoneId }))
          for (const p of page.ResourceRecordSetProtections ?? [])
            found.push({ name: fqdn(p.RecordName ?? ''), type: p.RecordType ?? '', ...(p.Comment ? { comment: p.Comment } : {}) });
      } catch (error) {
        // Route53 answers this operation for every zone it has (NoSuchHostedZone otherwise). A
        // Route53-compatible endpoint without it (moto answers 404 with a code Route53 never
        // gives) has no protections to offer: nothing there is protected.
        const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (e.$metadata?.httpStatusCode !== 404 || e.name === 'NoSuchHostedZone') throw error;
      }
      return found;
    },

    async getZoneName(zoneId) {
      const out = await client.send(new GetHostedZoneCommand({ Id: zoneId }));
      return (out.HostedZone?.Name ?? '').replace(/\.$/, '').toLowerCase();
    },

    async listHealthChecks() {
      const checks: ActualHealthCheck[] = [];
      for await (const page of paginateListHealthChecks({ client, pageSize: 1000 }, {})) {
        for (const hc of page.HealthChecks ?? []) {
          const c = hc.HealthCheckConfig;
          checks.push({
            id: hc.Id ?? '',
            callerReference: hc.CallerReference ?? '',
            spec: {
              fqdn: c?.FullyQualifiedDomainName ?? '',
              path: c?.ResourcePath ?? '',
              port: c?.Port ?? 0,
              protocol: c?.Type === 'HTTP' ? 'HTTP' : 'HTTPS',
              interval: c?.RequestInterval === 10 ? 10 : 30,
              failureThreshold: c?.FailureThreshold ?? 3,
            },
          });
        }
      }
      return checks;
    },

    async listHealthCheckTags(ids) {
      const out = await client.send(new ListTagsForResourcesCommand({ ResourceType: 'healthcheck', ResourceIds: [...ids] }));
      return new Map(
        (out.ResourceTagSets ?? []).map((set) => [
          set.ResourceId ?? '',
          Object.fromEntries((set.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        ]),
      );
    },

    async createHealthCheck(callerReference, spec: HealthCheckSpec) {
      const created = await client.send(
        new CreateHealthCheckCommand({
          CallerReference: callerReference,
          HealthCheckConfig: {
            Type: spec.protocol,
            FullyQualifiedDomainName: spec.fqdn,
            ResourcePath: spec.path,
            Port: spec.port,
            RequestInterval: spec.interval,
            FailureThreshold: spec.failureThreshold,
            ...(spec.protocol === 'HTTPS' ? { EnableSNI: true } : {}),
          },
        }),
      );
      const id = created.HealthCheck?.Id;
      if (!id) throw new Error('CreateHealthCheck returned no id');
      return id;
    },

    async tagHealthCheck(id, tags) {
      await client.send(
        new ChangeTagsForResourceCommand({
          ResourceType: 'healthcheck',
          ResourceId: id,
          AddTags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    },

    async updateHealthCheck(id, spec) {
      await client.send(
        new UpdateHealthCheckCommand({
          HealthCheckId: id,
          FullyQualifiedDomainName: spec.fqdn,
          ResourcePath: spec.path,
          Port: spec.port,
          FailureThreshold: spec.failureThreshold,
        }),
      );
    },

    async deleteHealthCheck(id) {
      await client.send(new DeleteHealthCheckCommand({ HealthCheckId: id }));
    },

    async changeRecordSets(zoneId, changes: readonly Change[]) {
      const out = await client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Comment: 'kubecdn sync-dns',
            Changes: changes.map((c) => ({ Action: c.action, ResourceRecordSet: toSdk(c.record) })),
          },
        }),
      );
      return out.ChangeInfo?.Id ?? '';
    },

    async waitForChange(changeId, maxSeconds) {
      const poll = options.pollSeconds ?? { min: 5, max: 30 };
      try {
        await waitUntilResourceRecordSetsChanged(
          { client, maxWaitTime: maxSeconds, minDelay: poll.min, maxDelay: poll.max },
          { Id: changeId },
        );
      } catch (error) {
        if ((error as Error).name !== 'TimeoutError') throw error;
        throw new Error(
          `change ${changeId} was not INSYNC after ${maxSeconds} s; it stays submitted, and the next run plans from what is there`,
        );
      }
    },
  };
}
