// sync-dns against moto_server: a zone of 32 regions x 32 hostnames, each region its own set
// identifier and latency Region (Route53 takes one latency record per region for a name and type;
// the layout is first applied to the strict model of Route53 in test/route53-model.ts, which would
// refuse any other). For each phase (first sync, no-op sync, add a region, drain a region) it
// prints the time, the API calls by operation, and the list pages and change batches next to the
// least possible: ceil(records / 300) pages and ceil(changes / 1000) batches.
//   npx tsx bench/dns.ts            (needs moto_server on the PATH)
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { performance } from 'node:perf_hooks';
import { AWS_REGIONS } from '../src/core/aws-regions.js';
import type { Config, Region } from '../src/core/config.js';
import { desiredState, type Desired } from '../src/core/dns/desired.js';
import { NLB_HOSTED_ZONES } from '../src/core/dns/load-balancers.js';
import { syncDns } from '../src/core/dns/sync.js';
import { route53 } from '../src/node/route53.js';
import { StrictRoute53 } from '../test/route53-model.js';
import { startMoto } from '../test/servers.js';

const REGIONS = 32;
const HOSTNAMES = 32;
const LIST_PAGE = 300;
const BATCH_ELEMENTS = 1000;

/** Real AWS regions, each its own set identifier and latency Region. */
function desired(ids: readonly string[]): Desired {
  const spec = {
    cluster: { kubernetes_version: '1.35', availability_zones: 3, node_groups: [] },
    edge: { min_replicas: 2, max_replicas: 4, cache_size: '10Gi', dual_stack: false },
  };
  const regions = ids.map(
    (id) =>
      ({ region: id, name: id, tier: 'scalable', serving: true, file: '', line: 0, spec: { region: id, ...spec } }) as unknown as Region,
  );
  const config = {
    cdn: {
      owner_id: 'bench',
      zone_id: 'ZBENCH',
      zone_name: 'example.com',
      hostnames: Array.from({ length: HOSTNAMES }, (_, i) => `h${i}.example.com`),
      ttl: 60,
      health_check: { path: '/healthz', protocol: 'HTTPS', interval_seconds: 30, failure_threshold: 3 },
      origin: { url: 'https://origin.example.com' },
    },
    regions,
  } as Config;
  const targets = Object.fromEntries(
    ids.map((id) => [id, { dnsName: `edge-${id}.elb.${id}.amazonaws.com`, hostedZoneId: NLB_HOSTED_ZONES[id] ?? '' }]),
  );
  return desiredState({ config, targets });
}

const ids = [...AWS_REGIONS.values()]
  .filter((r) => r.partition === 'aws')
  .map((r) => r.code)
  .slice(0, REGIONS + 1);
if (ids.length < REGIONS + 1) throw new Error(`only ${ids.length} AWS regions known; the bench needs ${REGIONS + 1}`);
// The layout Route53 would take: the strict model refuses two latency records for one region.
await syncDns(new StrictRoute53('example.com', 'ZMODEL'), 'ZMODEL', desired(ids), { nonce: () => 'x', force: true });

const moto = await startMoto();
try {
  const endpoint = moto.url;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_ROUTE_53: endpoint,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const zone = await new Route53Client({ region: 'us-east-1', endpoint }).send(
    new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `bench-${Date.now()}` }),
  );
  const zoneId = (zone.HostedZone?.Id ?? '').replace('/hostedzone/', '');
  let nonce = 0;

  console.log(`dns: ${REGIONS} regions x ${HOSTNAMES} hostnames on moto_server; a record and its ownership record per hostname and region`);
  let zoneRecords = 2; // NS and SOA
  const phase = async (name: string, regions: readonly string[]) => {
    const calls: Record<string, number> = {};
    const api = route53({ onCall: (op) => (calls[op] = (calls[op] ?? 0) + 1) });
    const want = desired(regions);
    const start = performance.now();
    const result = await syncDns(api, zoneId, want, { nonce: () => String(nonce++), force: true });
    const ms = performance.now() - start;
    const changes = result.plan.batches.reduce((n, b) => n + b.length, 0);
    const minPages = Math.ceil(zoneRecords / LIST_PAGE);
    const minBatches = Math.ceil(changes / BATCH_ELEMENTS);
    const pages = calls['ListResourceRecordSets'] ?? 0;
    const batches = calls['ChangeResourceRecordSets'] ?? 0;
    console.log(
      `  ${name.padEnd(16)} ${ms.toFixed(0).padStart(6)} ms  ${String(changes).padStart(4)} changes  list pages ${pages} (min ${minPages}, ${(pages / Math.max(1, minPages)).toFixed(2)}x)  change batches ${batches} (min ${minBatches}${minBatches ? `, ${(batches / minBatches).toFixed(2)}x` : ''})  health checks +${result.applied?.healthChecks.created ?? 0}/-${result.applied?.healthChecks.deleted ?? 0}`,
    );
    console.log(
      `  ${''.padEnd(16)} calls: ${Object.entries(calls)
        .map(([op, n]) => `${op} ${n}`)
        .join(', ')}`,
    );
    zoneRecords += result.plan.units.reduce(
      (n, u) => n + u.changes.filter((c) => c.action === 'CREATE').length - u.changes.filter((c) => c.action === 'DELETE').length,
      0,
    );
  };
  await phase('first sync', ids.slice(0, REGIONS));
  await phase('no-op sync', ids.slice(0, REGIONS));
  await phase('add one region', ids);
  await phase('drain one region', ids.slice(1));
} finally {
  moto.process.kill();
}
