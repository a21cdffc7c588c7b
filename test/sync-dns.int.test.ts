// sync-dns against a real moto_server over HTTP with the real AWS SDK, through a proxy that counts
// calls and injects Route53's throttling errors.
import { ChangeResourceRecordSetsCommand, ListHealthChecksCommand } from '@aws-sdk/client-route-53';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownershipName, ownershipValue, recordKey, type RecordSet } from '../src/core/dns/records.js';
import { DnsRefusedError } from '../src/core/dns/sync.js';
import { runDns } from '../src/node/dns.js';
import { toSdk } from '../src/node/route53.js';
import { CDN_YAML, region, regionDir } from './fixtures.js';
import { AWS_ENV, CountingProxy, createZone, motoUrl, sdk, seed, zoneRecords } from './moto.js';
import { runAction } from './action.js';
import { kubecdnAsync } from './run.js';

const list = (...entries: string[]) => `regions:\n${entries.join('')}`;
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1'];
const TARGETS = Object.fromEntries(
  REGIONS.map((r) => [r, { dnsName: `edge-${r}.elb.${r}.amazonaws.com`, hostedZoneId: `ZLB${r.replace(/-/g, '').toUpperCase()}` }]),
);

let proxy: CountingProxy;
let endpoint: string;
let worlds = 0;

beforeAll(async () => {
  proxy = new CountingProxy(motoUrl());
  endpoint = await proxy.start();
  Object.assign(process.env, AWS_ENV, { AWS_ENDPOINT_URL_ROUTE_53: endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
});
afterAll(async () => {
  await proxy.stop();
});

/** A zone of its own and an owner id of its own, so tests sharing one moto never meet. */
async function world(options: { regions?: string[]; hostnames?: string[] } = {}) {
  const zoneId = await createZone();
  const owner = `test-${process.pid}-${worlds++}`;
  const regions = options.regions ?? ['us-east-1', 'eu-west-1'];
  const [first, ...rest] = regions;
  const dir = regionDir({
    alwaysOn: list(region(first ?? 'us-east-1')),
    scalable: rest.length ? list(...rest.map((r) => region(r, { enabled: true }))) : 'regions: []\n',
    cdn: CDN_YAML.replace('kubecdn-test', owner).replace(
      'hostnames: [cdn.example.com]',
      `hostnames: [${(options.hostnames ?? ['cdn.example.com']).join(', ')}]`,
    ),
  });
  const targets = path.join(dir, 'targets.json');
  writeFileSync(targets, JSON.stringify(TARGETS));
  return {
    zoneId,
    owner,
    dir,
    targets,
    sync: (extra: { exclude?: string[]; force?: boolean; dryRun?: boolean; maxAttempts?: number } = {}) =>
      runDns(
        '/',
        {
          dir,
          targets,
          zoneId,
          dryRun: extra.dryRun ?? false,
          ...(extra.exclude ? { exclude: extra.exclude } : {}),
          ...(extra.force ? { force: true } : {}),
        },
        extra.maxAttempts ? { maxAttempts: extra.maxAttempts } : {},
      ),
  };
}

const keys = (records: readonly RecordSet[]) => records.map(recordKey).sort();

describe('sync-dns on moto_server', () => {
  it('converges an empty zone, and a second run makes no change call', async () => {
    const w = await world({ hostnames: ['cdn.example.com', 'static.example.com'] });
    const first = await w.sync();
    expect(first.applied).toEqual({ batches: 1, changes: 8, healthChecks: { created: 2, updated: 0, deleted: 0 } });
    expect(keys(await zoneRecords(w.zoneId))).toEqual([
      '_kubecdn-a.cdn.example.com.|TXT|eu-west-1',
      '_kubecdn-a.cdn.example.com.|TXT|us-east-1',
      '_kubecdn-a.static.example.com.|TXT|eu-west-1',
      '_kubecdn-a.static.example.com.|TXT|us-east-1',
      'cdn.example.com.|A|eu-west-1',
      'cdn.example.com.|A|us-east-1',
      'static.example.com.|A|eu-west-1',
      'static.example.com.|A|us-east-1',
    ]);
    const a = (await zoneRecords(w.zoneId)).find((r) => recordKey(r) === 'cdn.example.com.|A|eu-west-1');
    expect(a).toMatchObject({
      region: 'eu-west-1',
      aliasTarget: { hostedZoneId: 'ZLBEUWEST1', dnsName: 'edge-eu-west-1.elb.eu-west-1.amazonaws.com.', evaluateTargetHealth: true },
    });
    const checks = (await sdk().send(new ListHealthChecksCommand({}))).HealthChecks ?? [];
    expect(checks.find((h) => h.Id === a?.healthCheckId)?.HealthCheckConfig).toMatchObject({
      Type: 'HTTPS',
      FullyQualifiedDomainName: 'edge-eu-west-1.elb.eu-west-1.amazonaws.com',
      ResourcePath: '/healthz',
      Port: 443,
    });

    const calls = proxy.changeCalls();
    const second = await w.sync();
    expect(second.applied).toBeUndefined();
    expect(proxy.changeCalls()).toBe(calls);
  });

  it('adds a region, then drains one, touching nothing else', async () => {
    const w = await world({ regions: ['us-east-1'] });
    await w.sync();
    writeFileSync(path.join(w.dir, 'scalable.yaml'), list(region('eu-west-1', { enabled: true })));
    const grew = await w.sync();
    expect(grew.plan.units.map((u) => `${u.kind} ${u.region}`)).toEqual(['create eu-west-1']);
    const drained = await w.sync({ exclude: ['us-east-1'] });
    expect(drained.plan.units.map((u) => `${u.kind} ${u.region}`)).toEqual(['delete us-east-1']);
    expect(keys(await zoneRecords(w.zoneId))).toEqual(['_kubecdn-a.cdn.example.com.|TXT|eu-west-1', 'cdn.example.com.|A|eu-west-1']);
  });

  it("never changes records it does not own: simple, weighted elsewhere, a TXT at the hostname, another owner's latency records", async () => {
    const w = await world();
    const foreign: RecordSet[] = [
      { name: 'www.example.com.', type: 'A', ttl: 300, values: ['192.0.2.1'] },
      { name: 'blue.example.com.', type: 'A', setIdentifier: 'blue', weight: 10, ttl: 60, values: ['192.0.2.2'] },
      { name: 'cdn.example.com.', type: 'TXT', ttl: 300, values: ['"v=spf1 -all"'] },
      { name: 'cdn.example.com.', type: 'A', setIdentifier: 'other-ap', region: 'ap-south-1', ttl: 60, values: ['192.0.2.9'] },
      {
        name: ownershipName('cdn.example.com', 'A'),
        type: 'TXT',
        setIdentifier: 'other-ap',
        region: 'ap-south-1',
        ttl: 60,
        values: [ownershipValue('another-kubecdn', 'other-ap', 'A')],
      },
    ];
    await seed(w.zoneId, ...foreign);
    await w.sync();
    await w.sync({ exclude: ['eu-west-1'] });
    const after = await zoneRecords(w.zoneId);
    for (const r of foreign) expect(after.find((a) => recordKey(a) === recordKey(r))).toEqual(r);
    expect(
      after
        .filter((r) => r.type === 'A' && r.name === 'cdn.example.com.')
        .map((r) => r.setIdentifier)
        .sort(),
    ).toEqual(['other-ap', 'us-east-1']);
  });

  it('refuses a latency record beside a simple one, which moto itself would accept', async () => {
    const w = await world();
    await seed(w.zoneId, { name: 'cdn.example.com.', type: 'A', ttl: 300, values: ['192.0.2.1'] });
    // moto takes the mixed set Route53 refuses: this is why the planner checks it first.
    const mixed = { name: 'cdn.example.com.', type: 'A', setIdentifier: 'x', region: 'us-east-1', ttl: 60, values: ['192.0.2.3'] };
    await sdk().send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: w.zoneId,
        ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: toSdk(mixed) }] },
      }),
    );
    await sdk().send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: w.zoneId,
        ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: toSdk(mixed) }] },
      }),
    );
    const calls = proxy.changeCalls();
    const error = await w.sync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DnsRefusedError);
    expect((error as DnsRefusedError).conflicts[0]).toBe(
      'cannot create cdn.example.com A (us-east-1): cdn.example.com A is a simple record: Route53 refuses latency and simple records of one name and type side by side',
    );
    expect(proxy.changeCalls()).toBe(calls);
  });

  it('splits a large change at the limits: 1,040 changes go in two batches, each record with its ownership record', async () => {
    const hostnames = Array.from({ length: 130 }, (_, i) => `h${i}.example.com`);
    const w = await world({ regions: REGIONS, hostnames });
    const before = proxy.count('ChangeResourceRecordSets');
    const result = await w.sync();
    expect(result.applied).toMatchObject({ batches: 2, changes: 1040 });
    expect(proxy.count('ChangeResourceRecordSets') - before).toBe(2);
    const records = await zoneRecords(w.zoneId);
    expect(records.filter((r) => r.type === 'A')).toHaveLength(520);
    expect(records.filter((r) => r.type === 'TXT')).toHaveLength(520);
    // The listing pages (300 a page, moto without record identifiers) still finds everything once.
    const again = await w.sync();
    expect(again.plan.units).toEqual([]);
  });

  it('rides out Throttling and PriorRequestNotComplete with backoff, and converges', async () => {
    const w = await world({ regions: REGIONS });
    proxy.injections.push(
      { operation: 'ChangeResourceRecordSets', times: 2, status: 400, code: 'Throttling' },
      { operation: 'ListResourceRecordSets', times: 1, status: 400, code: 'PriorRequestNotComplete' },
      { operation: 'CreateHealthCheck', times: 1, status: 503, code: 'ServiceUnavailable' },
    );
    const result = await w.sync();
    expect(proxy.injected).toEqual(
      expect.arrayContaining([
        'ChangeResourceRecordSets Throttling',
        'ChangeResourceRecordSets Throttling',
        'ListResourceRecordSets PriorRequestNotComplete',
        'CreateHealthCheck ServiceUnavailable',
      ]),
    );
    expect(result.applied?.changes).toBe(8);
    expect((await zoneRecords(w.zoneId)).filter((r) => r.type === 'A')).toHaveLength(4);
  });

  it('after retries run out, stops with nothing half-owned, and the next run converges', async () => {
    const w = await world({ regions: REGIONS });
    proxy.injections.push({ operation: 'ChangeResourceRecordSets', times: 3, status: 400, code: 'Throttling' });
    await expect(w.sync({ maxAttempts: 3 })).rejects.toThrow(/Rate exceeded/);
    proxy.injections.length = 0;
    const records = await zoneRecords(w.zoneId);
    expect(records.filter((r) => r.type === 'A').length).toBe(records.filter((r) => r.type === 'TXT').length);
    const result = await w.sync();
    expect(result.applied?.changes).toBe(8);
    // The health checks made by the failed run are found by their caller reference and reused.
    expect(result.applied?.healthChecks.created).toBe(0);
  });

  it('the CLI prints the plan, applies, and exits 1 when it refuses', async () => {
    const w = await world();
    const env = { ...AWS_ENV, AWS_ENDPOINT_URL_ROUTE_53: endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const args = ['--targets', w.targets, '--zone-id', w.zoneId, '--dir', w.dir];
    const plan = await kubecdnAsync(['dns', 'plan', ...args], { env });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      'DNS: 2 to create, 0 to update, 0 to replace, 0 to delete; health checks: 2 to create, 0 to update, 0 to delete',
    );
    expect(plan.stdout).toContain('\ncreate  cdn.example.com  A     eu-west-1  alias edge-eu-west-1.elb.eu-west-1.amazonaws.com\n');
    const applied = await kubecdnAsync(['dns', 'apply', ...args, '--format', 'json'], { env });
    expect(JSON.parse(applied.stdout)).toMatchObject({ zoneId: w.zoneId, applied: { batches: 1, changes: 4 } });
    const refused = await kubecdnAsync(['dns', 'apply', ...args, '--exclude', 'us-east-1', '--exclude', 'eu-west-1'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'kubecdn dns: refused, nothing changed: cdn.example.com A would be left with no serving region; no region would serve: every serving region is excluded (--force allows what is not a conflict)\n',
    );
  });

  it('the bundled action, started as the runner starts it: a dry run gives Markdown for the comment, then it applies', async () => {
    const w = await world();
    const env = { ...AWS_ENV, AWS_ENDPOINT_URL_ROUTE_53: endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const inputs = { targets: w.targets, directory: w.dir, 'zone-id': w.zoneId, force: 'false' };
    const dry = await runAction('sync-dns', { workspace: path.dirname(w.dir), inputs: { ...inputs, 'dry-run': 'true' }, env });
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.outputs['changed']).toBe('true');
    expect(dry.outputs['plan-markdown']).toContain(
      '| create | `cdn.example.com` | A | `eu-west-1` | alias edge-eu-west-1.elb.eu-west-1.amazonaws.com |',
    );
    expect(dry.summary).toContain(`## kubeCDN DNS (dry run) for zone \`${w.zoneId}\``);
    expect(await zoneRecords(w.zoneId)).toEqual([]);

    const applied = await runAction('sync-dns', { workspace: path.dirname(w.dir), inputs: { ...inputs, 'dry-run': 'false' }, env });
    expect(applied.code).toBe(0);
    expect(applied.summary).toContain('Applied 4 changes in 1 batch, all INSYNC.');
    expect((await zoneRecords(w.zoneId)).filter((r) => r.type === 'A')).toHaveLength(2);

    const refused = await runAction('sync-dns', {
      workspace: path.dirname(w.dir),
      inputs: { ...inputs, 'dry-run': 'false', exclude: 'us-east-1\neu-west-1' },
      env,
    });
    expect(refused.code).toBe(1);
    expect(refused.commands.at(-1)).toMatch(
      /^::error::sync-dns failed: refused, nothing changed: cdn.example.com A would be left with no serving region/,
    );
    expect((await zoneRecords(w.zoneId)).filter((r) => r.type === 'A')).toHaveLength(2);
  });
});
