// sync-dns against a real moto_server over HTTP with the real AWS SDK, through a proxy that counts
// calls, injects Route53's throttling errors and loses responses after moto has committed. moto is
// laxer than Route53 (see test/route53-model.ts): what only Route53 refuses is held by the strict
// model in test/dns-plan.test.ts; here each test relies on moto for what moto does model (paging,
// health checks and tags account-wide, the retried CREATE that fails, zone names) and says so.
import { ChangeResourceRecordSetsCommand, ListHealthChecksCommand } from '@aws-sdk/client-route-53';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownershipName, ownershipValue, recordKey, type RecordSet } from '../src/core/dns/records.js';
import { NLB_HOSTED_ZONES } from '../src/core/dns/load-balancers.js';
import { runDns } from '../src/node/dns.js';
import { drainDns, settleWait, UNCONFIRMED_MARGIN_SECONDS } from '../src/node/teardown.js';
import { toSdk } from '../src/node/route53.js';
import { CDN_YAML, region, regionDir } from './fixtures.js';
import { AWS_ENV, CountingProxy, createZone, motoUrl, sdk, seed, zoneRecords } from './moto.js';
import { runAction } from './action.js';
import { kubecdnAsync } from './run.js';

const list = (...entries: string[]) => `regions:\n${entries.join('')}`;
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1'];
const TARGETS = Object.fromEntries(
  REGIONS.map((r) => [r, { dnsName: `edge-${r}.elb.${r}.amazonaws.com`, hostedZoneId: NLB_HOSTED_ZONES[r] ?? '' }]),
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
async function world(options: { regions?: string[]; hostnames?: string[]; owner?: string; zone?: string } = {}) {
  const zoneId = await createZone(options.zone ?? 'example.com');
  const owner = options.owner ?? `test-${process.pid}-${worlds++}`;
  const regions = options.regions ?? ['us-east-1', 'eu-west-1'];
  const [first, ...rest] = regions;
  const dir = regionDir({
    alwaysOn: list(region(first ?? 'us-east-1')),
    scalable: rest.length ? list(...rest.map((r) => region(r, { enabled: true }))) : 'regions: []\n',
    cdn: CDN_YAML.replace('kubecdn-test', owner)
      .replace('zone_name: example.com', `zone_name: ${options.zone ?? 'example.com'}`)
      .replace('hostnames: [cdn.example.com]', `hostnames: [${(options.hostnames ?? ['cdn.example.com']).join(', ')}]`),
  });
  const targets = path.join(dir, 'targets.json');
  writeFileSync(targets, JSON.stringify(TARGETS));
  return {
    zoneId,
    owner,
    dir,
    targets,
    sync: (
      extra: {
        exclude?: string[];
        hostname?: string[];
        force?: boolean;
        dryRun?: boolean;
        maxAttempts?: number;
        maxDeleteFraction?: number;
      } = {},
    ) =>
      runDns(
        '/',
        {
          dir,
          targets,
          zoneId,
          dryRun: extra.dryRun ?? false,
          ...(extra.exclude ? { exclude: extra.exclude } : {}),
          ...(extra.hostname ? { hostname: extra.hostname } : {}),
          ...(extra.force ? { force: true } : {}),
          ...(extra.maxDeleteFraction !== undefined ? { maxDeleteFraction: extra.maxDeleteFraction } : {}),
        },
        extra.maxAttempts ? { maxAttempts: extra.maxAttempts } : {},
      ),
  };
}

const keys = (records: readonly RecordSet[]) => records.map(recordKey).sort();

/**
 * A person edits eu-west-1's ownership record by hand, so that it no longer names kubeCDN. (A
 * DELETE would do on Route53; moto deletes every record of a set identifier at once.)
 */
async function editOwnership(zoneId: string): Promise<void> {
  const txt = (await zoneRecords(zoneId)).find((r) => recordKey(r) === '_kubecdn-a.cdn.example.com.|TXT|eu-west-1');
  await sdk().send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: toSdk({ ...(txt as RecordSet), values: ['"edited by hand"'] }) }] },
    }),
  );
}

describe('sync-dns on moto_server', () => {
  it('converges an empty zone, and a second run makes no change call', async () => {
    const w = await world({ hostnames: ['cdn.example.com', 'static.example.com'] });
    const first = await w.sync();
    expect(first.applied).toEqual({
      batches: 1,
      changes: 8,
      recovered: 0,
      healthChecks: { created: 2, updated: 0, deleted: 0, tagged: 0 },
    });
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
      aliasTarget: { hostedZoneId: 'Z2IFOLAFXWLO4F', dnsName: 'edge-eu-west-1.elb.eu-west-1.amazonaws.com.', evaluateTargetHealth: true },
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
    const result = await w.sync();
    expect(result.plan.conflicts[0]).toBe(
      'cannot write cdn.example.com A (us-east-1): cdn.example.com A is a simple record: Route53 refuses latency and simple records of one name and type side by side',
    );
    // The simple record blocks every region of the name and type: nothing is tried, not even a health check.
    expect(result.plan.conflicts).toHaveLength(2);
    expect(result.plan.units).toEqual([]);
    expect(proxy.changeCalls()).toBe(calls);
  });

  it('splits a large change at the limits: 1,040 changes go in two batches, each record with its ownership record', async () => {
    const hostnames = Array.from({ length: 130 }, (_, i) => `h${i}.example.com`);
    // More hostnames than cdn.yaml takes (10): given as --hostname gives them.
    const w = await world({ regions: REGIONS });
    const before = proxy.count('ChangeResourceRecordSets');
    const result = await w.sync({ hostname: hostnames });
    expect(result.applied).toMatchObject({ batches: 2, changes: 1040 });
    expect(proxy.count('ChangeResourceRecordSets') - before).toBe(2);
    const records = await zoneRecords(w.zoneId);
    expect(records.filter((r) => r.type === 'A')).toHaveLength(520);
    expect(records.filter((r) => r.type === 'TXT')).toHaveLength(520);
    // The listing pages (300 a page, moto without record identifiers) still finds everything once.
    const again = await w.sync({ hostname: hostnames });
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
    // The failed run deleted again the checks it made that no record uses (moto lists checks
    // account-wide, as Route53 does): the next run makes them anew, and none is left over.
    expect(result.applied?.healthChecks.created).toBe(4);
    expect((await w.sync()).plan.healthChecks).toMatchObject({ create: [], delete: [] });
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
    // Progress on standard error, so that standard output stays the JSON: a line per batch
    // saying what it waits for and for how long at most.
    expect(applied.stderr).toMatch(
      /^batch 1 of 1: 4 changes \(0 delete, 0 upsert, 4 create\)\n {2}submitted as \S+; waiting for INSYNC, at most 300 s\n {2}INSYNC after \d+ s\n/m,
    );
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
    // A log group per batch, saying what it waits for.
    expect(applied.stdout).toMatch(
      /::group::batch 1 of 1: 4 changes \(0 delete, 0 upsert, 4 create\)\nsubmitted as \S+; waiting for INSYNC, at most 300 s\nINSYNC after \d+ s\n::endgroup::/,
    );
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

  // Relies on moto for what it does model: it commits the batch, and refuses the SDK's retry of
  // the same CREATE (InvalidChangeBatch, "already exists"), as Route53 does.
  it('a lost response is not a failure: the retry fails, the zone is read again, and the run goes on', async () => {
    const w = await world({ regions: REGIONS });
    const before = proxy.count('ChangeResourceRecordSets');
    proxy.injections.push({ operation: 'ChangeResourceRecordSets', times: 1, status: 503, code: 'ServiceUnavailable', afterCommit: true });
    const result = await w.sync();
    expect(proxy.injected.at(-1)).toBe('ChangeResourceRecordSets ServiceUnavailable after commit');
    expect(proxy.count('ChangeResourceRecordSets') - before).toBe(2);
    expect(result.applied).toMatchObject({ batches: 1, recovered: 1, changes: 8 });
    expect((await zoneRecords(w.zoneId)).filter((r) => r.type === 'A')).toHaveLength(4);
    expect((await w.sync()).plan.units).toEqual([]);
  });

  // Relies on moto for committing the batch and refusing the SDK's retry of the same CREATE; the
  // CLI is the built one, run as a user runs it, through the proxy that loses the response.
  it('the CLI says how many batches were not confirmed INSYNC after a lost response, never "all INSYNC"', async () => {
    const w = await world();
    const env = { ...AWS_ENV, AWS_ENDPOINT_URL_ROUTE_53: endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    proxy.injections.push({ operation: 'ChangeResourceRecordSets', times: 1, status: 503, code: 'ServiceUnavailable', afterCommit: true });
    const applied = await kubecdnAsync(['dns', 'apply', '--targets', w.targets, '--zone-id', w.zoneId, '--dir', w.dir], { env });
    expect(proxy.injected.at(-1)).toBe('ChangeResourceRecordSets ServiceUnavailable after commit');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(
      'applied: 4 changes in 1 batch, 1 batch not confirmed INSYNC (committed, found in the zone after a lost response; Route53 usually serves a change within 60 s)',
    );
    expect(applied.stdout).not.toContain('all INSYNC');
  });

  // Pure arithmetic, no peer: the teardown's wait after a drain, from the records' TTL.
  it("the teardown's settle wait adds a margin when a batch of the drain was not confirmed INSYNC", () => {
    expect(settleWait(60, undefined, 0)).toEqual({ seconds: 60, detail: "waited 60 s, the records' TTL" });
    expect(settleWait(60, undefined, 1)).toEqual({
      seconds: 60 + UNCONFIRMED_MARGIN_SECONDS,
      detail: `waited ${60 + UNCONFIRMED_MARGIN_SECONDS} s: 60 s the records' TTL, and ${UNCONFIRMED_MARGIN_SECONDS} s more because 1 batch was not confirmed INSYNC`,
    });
    expect(settleWait(60, 5, 2).seconds).toBe(5 + UNCONFIRMED_MARGIN_SECONDS);
  });

  it("a teardown's drain whose response is lost still drains, and checks that no record answers for the region", async () => {
    const w = await world();
    await w.sync();
    writeFileSync(path.join(w.dir, 'scalable.yaml'), list(region('eu-west-1', { enabled: false })));
    proxy.injections.push({ operation: 'ChangeResourceRecordSets', times: 1, status: 503, code: 'ServiceUnavailable', afterCommit: true });
    const drained = await drainDns('/', { dir: w.dir, region: 'eu-west-1', zoneId: w.zoneId });
    // moto takes the SDK's retry of the same DELETE (Route53 refuses it, the record being gone:
    // the strict model's test holds that case); either way the drain is done and checked.
    expect(proxy.injected.at(-1)).toBe('ChangeResourceRecordSets ServiceUnavailable after commit');
    expect(drained).toMatchObject({ ok: true });
    expect(drained.detail).toMatch(/^1 record of eu-west-1 .*; no record answers for eu-west-1$/);
    expect(keys(await zoneRecords(w.zoneId))).toEqual(['_kubecdn-a.cdn.example.com.|TXT|us-east-1', 'cdn.example.com.|A|us-east-1']);
  });

  // Relies on moto for committing the drain's batch and the DeleteHealthCheck; the proxy then
  // fails that call after commit with an error the SDK does not retry. The run fails after the
  // records are gone: the teardown reads the zone again and counts the drain as done.
  it("a teardown's drain that fails after its records are gone is judged from the zone read again, not from the error", async () => {
    const w = await world();
    await w.sync();
    writeFileSync(path.join(w.dir, 'scalable.yaml'), list(region('eu-west-1', { enabled: false })));
    proxy.injections.push({ operation: 'DeleteHealthCheck', times: 1, status: 400, code: 'InvalidInput', afterCommit: true });
    const lines: string[] = [];
    const drained = await drainDns('/', { dir: w.dir, region: 'eu-west-1', zoneId: w.zoneId }, (l) => lines.push(l));
    expect(proxy.injected.at(-1)).toBe('DeleteHealthCheck InvalidInput after commit');
    expect(lines.some((l) => /^ {2}the drain failed \(.*\); reading the zone again/.test(l))).toBe(true);
    expect(drained).toMatchObject({ ok: true });
    expect(drained.detail).toMatch(/the drain call failed .* the zone read again holds no record of eu-west-1: the change was made/);
    expect(drained.unconfirmed).toBe(1);
    expect(keys(await zoneRecords(w.zoneId))).toEqual(['_kubecdn-a.cdn.example.com.|TXT|us-east-1', 'cdn.example.com.|A|us-east-1']);
  });

  it("a teardown's drain is refused, calling nothing, when a record whose ownership record was edited away would be left", async () => {
    const w = await world();
    await w.sync();
    await editOwnership(w.zoneId);
    writeFileSync(path.join(w.dir, 'scalable.yaml'), list(region('eu-west-1', { enabled: false })));
    const calls = proxy.changeCalls();
    const drained = await drainDns('/', { dir: w.dir, region: 'eu-west-1', zoneId: w.zoneId });
    expect(drained.ok).toBe(false);
    expect(drained.detail).toMatch(
      /^refused, nothing changed: draining eu-west-1 would leave cdn.example.com A \(eu-west-1\) answering for it/,
    );
    expect(proxy.changeCalls()).toBe(calls);
  });

  // Relies on moto for health checks and their tags being account-wide, across zones.
  it('one owner id in two zones: a drain in one leaves the health checks the other uses', async () => {
    const owner = `test-${process.pid}-shared`;
    const a = await world({ owner });
    const b = await world({ owner, zone: 'example.org', hostnames: ['cdn.example.org'] });
    await a.sync();
    await b.sync();
    await b.sync({ exclude: ['eu-west-1'], maxDeleteFraction: 1 });
    const checks = new Set(((await sdk().send(new ListHealthChecksCommand({}))).HealthChecks ?? []).map((h) => h.Id));
    const used = (await zoneRecords(a.zoneId)).filter((r) => r.type === 'A').map((r) => r.healthCheckId);
    expect(used).toHaveLength(2);
    for (const id of used) expect(checks.has(id)).toBe(true);
  });

  it('the CLI refuses, calling nothing, a hostname outside the zone, and one not in punycode', async () => {
    const w = await world();
    const env = { ...AWS_ENV, AWS_ENDPOINT_URL_ROUTE_53: endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const args = ['dns', 'apply', '--targets', w.targets, '--zone-id', w.zoneId, '--dir', w.dir];
    const calls = proxy.calls.length;
    const idn = await kubecdnAsync([...args, '--hostname', 'bücher.example.com'], { env });
    expect(idn.code).toBe(2);
    expect(idn.stderr).toContain(
      'bücher.example.com is not ASCII: Route53 takes internationalised names as punycode (xn--bcher-kva.example.com)',
    );
    expect(proxy.calls.length).toBe(calls);
    const changes = proxy.changeCalls();
    const outside = await kubecdnAsync([...args, '--hostname', 'cdn.example.org'], { env });
    expect(outside.code).toBe(1);
    expect(outside.stderr).toBe(
      "kubecdn dns: refused, nothing changed: cdn.example.org is not inside the zone example.com: Route53 keeps a zone's records within its name; nothing is written for it\n",
    );
    expect(proxy.changeCalls()).toBe(changes);
  });

  it('the CLI shows a record whose ownership record was edited away, exits 1, and takes it with --adopt', async () => {
    const w = await world();
    await w.sync();
    await editOwnership(w.zoneId);
    const env = { ...AWS_ENV, AWS_ENDPOINT_URL_ROUTE_53: endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const args = ['dns', 'apply', '--targets', w.targets, '--zone-id', w.zoneId, '--dir', w.dir];
    const blocked = await kubecdnAsync(args, { env });
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toContain(
      `conflict, never changed: cannot write cdn.example.com A (eu-west-1): cdn.example.com A (eu-west-1) exists and is not kubeCDN ${w.owner}'s: left as it is (its ownership record is missing or not kubeCDN's: --adopt takes it)`,
    );
    const adopted = await kubecdnAsync([...args, '--adopt'], { env });
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toContain('\nadopt   cdn.example.com  A     eu-west-1  alias edge-eu-west-1.elb.eu-west-1.amazonaws.com\n');
    expect(keys(await zoneRecords(w.zoneId))).toContain('_kubecdn-a.cdn.example.com.|TXT|eu-west-1');
  });
});
