import { beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../src/core/config.js';
import { desiredState, type Desired, type HealthCheckSpec, type Target } from '../src/core/dns/desired.js';
import { callerReference, shortTag } from '../src/core/dns/health-checks.js';
import { toBatches } from '../src/core/dns/batches.js';
import { planDns } from '../src/core/dns/plan.js';
import { dnsPlanToText } from '../src/core/dns/render.js';
import { ownershipName, ownershipValue, recordKey, type RecordSet } from '../src/core/dns/records.js';
import { DnsRefusedError, syncDns, type SyncOptions } from '../src/core/dns/sync.js';
import { CDN_YAML, load, region } from './fixtures.js';
import { NLB_HOSTED_ZONES } from '../src/core/dns/load-balancers.js';
import { loadTargets } from '../src/core/dns/targets.js';
import { StrictRoute53 } from './route53-model.js';

const list = (...entries: string[]) => `regions:\n${entries.join('')}`;

function config(regions: string[], options: { hostnames?: string[]; dualStack?: string[]; cdn?: string } = {}): Config {
  const [first, ...rest] = regions;
  const entry = (code: string, enabled?: boolean) => region(code, enabled === undefined ? {} : { enabled });
  const hostnames = options.hostnames ?? ['cdn.example.com'];
  const result = load({
    alwaysOn: list(entry(first ?? 'us-east-1')),
    scalable: rest.length ? list(...rest.map((c) => entry(c, true))) : 'regions: []\n',
    cdn: (options.cdn ?? CDN_YAML).replace('hostnames: [cdn.example.com]', `hostnames: [${hostnames.join(', ')}]`),
  });
  if (!result.config) throw new Error(JSON.stringify(result.problems));
  // The rules refuse dual_stack until the stack's VPC has IPv6; the records it would give are
  // still sync-dns's to get right, so it is set here, past validation.
  const dual = new Set(options.dualStack ?? []);
  return {
    ...result.config,
    regions: result.config.regions.map((r) =>
      dual.has(r.region) ? { ...r, spec: { ...r.spec, edge: { ...r.spec.edge, dual_stack: true } } } : r,
    ),
  };
}

const targets = (...codes: string[]): Record<string, Target> =>
  Object.fromEntries(codes.map((c) => [c, { dnsName: `edge-${c}.elb.${c}.amazonaws.com`, hostedZoneId: NLB_HOSTED_ZONES[c] ?? '' }]));

let nonce = 0;
const options = { nonce: () => String(++nonce) };

describe('sync-dns against a strict model of Route53', () => {
  let r53: StrictRoute53;
  beforeEach(() => {
    r53 = new StrictRoute53();
  });

  const sync = (cfg: Config, t: Record<string, Target>, extra: { exclude?: string[]; force?: boolean; maxDeleteFraction?: number } = {}) =>
    syncDns(r53, 'Z0TEST', desiredState({ config: cfg, targets: t, ...(extra.exclude ? { exclude: extra.exclude } : {}) }), {
      ...options,
      ...extra,
    });

  it('converges an empty zone: a latency alias and its ownership record per hostname and region, and a health check per region', async () => {
    const cfg = config(['us-east-1', 'eu-west-1'], { hostnames: ['cdn.example.com', 'static.example.com'] });
    const result = await sync(cfg, targets('us-east-1', 'eu-west-1'));
    expect(result.applied).toEqual({
      batches: 1,
      changes: 8,
      recovered: 0,
      healthChecks: { created: 2, updated: 0, deleted: 0, tagged: 0 },
    });
    const a = r53.records.get('cdn.example.com.|A|eu-west-1');
    expect(a).toEqual({
      name: 'cdn.example.com.',
      type: 'A',
      setIdentifier: 'eu-west-1',
      region: 'eu-west-1',
      aliasTarget: { hostedZoneId: 'Z2IFOLAFXWLO4F', dnsName: 'edge-eu-west-1.elb.eu-west-1.amazonaws.com.', evaluateTargetHealth: true },
      healthCheckId: [...r53.healthChecks.values()].find((h) => h.spec.fqdn === 'edge-eu-west-1.elb.eu-west-1.amazonaws.com')?.id,
    });
    expect(r53.records.get('_kubecdn-a.cdn.example.com.|TXT|eu-west-1')).toEqual({
      name: '_kubecdn-a.cdn.example.com.',
      type: 'TXT',
      setIdentifier: 'eu-west-1',
      region: 'eu-west-1',
      ttl: 60,
      values: ['"heritage=kubecdn,kubecdn/owner=kubecdn-test,kubecdn/region=eu-west-1,kubecdn/record=A"'],
    });
    expect([...r53.healthChecks.values()].map((h) => h.spec)).toContainEqual({
      fqdn: 'edge-us-east-1.elb.us-east-1.amazonaws.com',
      path: '/healthz',
      port: 443,
      protocol: 'HTTPS',
      interval: 30,
      failureThreshold: 3,
    });
  });

  it('makes no change call on a converged zone', async () => {
    const cfg = config(['us-east-1', 'eu-west-1']);
    await sync(cfg, targets('us-east-1', 'eu-west-1'));
    const before = r53.changeCalls();
    const again = await sync(cfg, targets('us-east-1', 'eu-west-1'));
    expect(again.applied).toBeUndefined();
    expect(again.plan.units).toEqual([]);
    expect(r53.changeCalls()).toBe(before);
  });

  it('adds a region without touching the others', async () => {
    await sync(config(['us-east-1']), targets('us-east-1', 'eu-west-1'));
    const result = await sync(config(['us-east-1', 'eu-west-1']), targets('us-east-1', 'eu-west-1'));
    expect(result.plan.units.map((u) => `${u.kind} ${u.hostname} ${u.type} ${u.region}`)).toEqual(['create cdn.example.com A eu-west-1']);
    expect(r53.batches.at(-1)?.map((c) => `${c.action} ${recordKey(c.record)}`)).toEqual([
      'CREATE _kubecdn-a.cdn.example.com.|TXT|eu-west-1',
      'CREATE cdn.example.com.|A|eu-west-1',
    ]);
  });

  it('drains an excluded region: its record, ownership record and health check go', async () => {
    const cfg = config(['us-east-1', 'eu-west-1']);
    await sync(cfg, targets('us-east-1', 'eu-west-1'));
    const result = await sync(cfg, targets('us-east-1', 'eu-west-1'), { exclude: ['eu-west-1'] });
    expect(r53.batches.at(-1)?.map((c) => `${c.action} ${recordKey(c.record)}`)).toEqual([
      'DELETE cdn.example.com.|A|eu-west-1',
      'DELETE _kubecdn-a.cdn.example.com.|TXT|eu-west-1',
    ]);
    expect(result.applied?.healthChecks.deleted).toBe(1);
    expect([...r53.records.keys()].sort()).toEqual(['_kubecdn-a.cdn.example.com.|TXT|us-east-1', 'cdn.example.com.|A|us-east-1']);
  });

  it('adds AAAA records for a dual-stack edge', async () => {
    await sync(config(['us-east-1'], { dualStack: ['us-east-1'] }), targets('us-east-1'));
    expect([...r53.records.keys()].sort()).toEqual([
      '_kubecdn-a.cdn.example.com.|TXT|us-east-1',
      '_kubecdn-aaaa.cdn.example.com.|TXT|us-east-1',
      'cdn.example.com.|AAAA|us-east-1',
      'cdn.example.com.|A|us-east-1',
    ]);
  });

  describe('records that are not ours', () => {
    const foreign: RecordSet[] = [
      { name: 'www.example.com.', type: 'A', ttl: 300, values: ['192.0.2.1'] },
      { name: 'cdn.example.com.', type: 'TXT', ttl: 300, values: ['"google-site-verification=abc"'] },
      { name: 'cdn.example.com.', type: 'A', setIdentifier: 'theirs-ap', region: 'ap-south-1', ttl: 60, values: ['192.0.2.9'] },
      {
        name: ownershipName('cdn.example.com', 'A'),
        type: 'TXT',
        setIdentifier: 'theirs-ap',
        region: 'ap-south-1',
        ttl: 60,
        values: [ownershipValue('someone-else', 'theirs-ap', 'A')],
      },
    ];

    it("are never changed or deleted: simple records elsewhere, a TXT at the hostname, another owner's latency records", async () => {
      r53.seed(...foreign);
      await sync(config(['us-east-1']), targets('us-east-1'));
      await sync(config(['us-east-1']), targets('us-east-1'), { exclude: ['us-east-1'], force: true }).catch(() => undefined);
      for (const r of foreign) expect(r53.records.get(recordKey(r))).toEqual(r);
    });

    it('are not taken over: a record of another owner at our place is left alone and shown, and the rest goes on', async () => {
      const squatter: RecordSet = {
        name: 'cdn.example.com.',
        type: 'A',
        setIdentifier: 'us-east-1',
        region: 'us-east-1',
        ttl: 60,
        values: ['192.0.2.7'],
      };
      r53.seed(squatter);
      const result = await sync(config(['us-east-1', 'eu-west-1']), targets('us-east-1', 'eu-west-1'));
      expect(result.plan.conflicts).toEqual([
        "cannot write cdn.example.com A (us-east-1): cdn.example.com A (us-east-1) exists and is not kubeCDN kubecdn-test's: left as it is (its ownership record is missing or not kubeCDN's: --adopt takes it)",
      ]);
      expect(r53.records.get(recordKey(squatter))).toEqual(squatter);
      // No health check for a region none of whose records can be written.
      expect([...r53.healthChecks.values()].map((h) => h.spec.fqdn)).toEqual(['edge-eu-west-1.elb.eu-west-1.amazonaws.com']);
      expect(r53.records.get('cdn.example.com.|A|eu-west-1')).toBeDefined();
    });

    // Relies on the model: moto takes a latency record beside a weighted one.
    it('refuses a latency record where a simple or weighted record of the name and type stands, calling nothing', async () => {
      r53.seed({ name: 'cdn.example.com.', type: 'A', setIdentifier: 'blue', weight: 10, ttl: 60, values: ['192.0.2.1'] });
      const result = await sync(config(['us-east-1']), targets('us-east-1'));
      expect(result.plan.conflicts).toEqual([
        'cannot write cdn.example.com A (us-east-1): cdn.example.com A (blue) is a weighted record: Route53 refuses latency and weighted records of one name and type side by side',
      ]);
      expect(r53.changeCalls()).toBe(0);
    });

    // Relies on the model: it holds the CNAME rule as Route53 words it.
    it('refuses to place records beside a CNAME, calling nothing', async () => {
      r53.seed({ name: 'cdn.example.com.', type: 'CNAME', ttl: 60, values: ['old-cdn.example.net'] });
      const result = await sync(config(['us-east-1']), targets('us-east-1'));
      expect(result.plan.conflicts).toEqual([
        'cannot write cdn.example.com A (us-east-1): cdn.example.com CNAME is a CNAME: no other record may share its name',
      ]);
      expect(r53.changeCalls()).toBe(0);
    });
  });

  describe('safety', () => {
    it('refuses to delete more than 30% of its records in one run, unless forced', async () => {
      const hosts = ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com'];
      const cfg = config(['us-east-1', 'eu-west-1', 'ap-south-1'], { hostnames: hosts });
      await sync(cfg, targets('us-east-1', 'eu-west-1', 'ap-south-1'));
      const calls = r53.changeCalls();
      const error = (await sync(cfg, targets('us-east-1', 'eu-west-1', 'ap-south-1'), { exclude: ['eu-west-1', 'ap-south-1'] }).catch(
        (e: unknown) => e,
      )) as DnsRefusedError;
      expect(error.guards).toEqual(["this would delete 8 of kubeCDN's 12 records (67%), more than the 30% allowed in one run"]);
      expect(r53.changeCalls()).toBe(calls);
      await sync(cfg, targets('us-east-1', 'eu-west-1', 'ap-south-1'), { exclude: ['eu-west-1', 'ap-south-1'], force: true });
      expect([...r53.records.values()].filter((r) => r.type === 'A')).toHaveLength(4);
    });

    it('refuses to leave a hostname with no serving region', async () => {
      const cfg = config(['us-east-1']);
      await sync(cfg, targets('us-east-1'));
      const error = (await sync(cfg, targets('us-east-1'), { exclude: ['us-east-1'] }).catch((e: unknown) => e)) as DnsRefusedError;
      expect(error.guards).toEqual([
        'cdn.example.com A would be left with no serving region',
        'no region would serve: every serving region is excluded',
      ]);
      expect(r53.records.get('cdn.example.com.|A|us-east-1')).toBeDefined();
    });

    it('leaves a serving region without a target this run exactly as it is', async () => {
      const cfg = config(['us-east-1', 'eu-west-1']);
      await sync(cfg, targets('us-east-1', 'eu-west-1'));
      const before = r53.records.get('cdn.example.com.|A|eu-west-1');
      const result = await sync(cfg, targets('us-east-1'));
      expect(result.plan.untouched).toEqual(['eu-west-1']);
      expect(result.plan.units).toEqual([]);
      expect(r53.records.get('cdn.example.com.|A|eu-west-1')).toEqual(before);
    });
  });

  describe('changes', () => {
    it('a new load balancer is an in-place UPSERT', async () => {
      await sync(config(['us-east-1']), targets('us-east-1'));
      await sync(config(['us-east-1']), {
        'us-east-1': { dnsName: 'edge-new.elb.us-east-1.amazonaws.com', hostedZoneId: 'Z26RNL4JYFTOTI' },
      });
      expect(r53.batches.at(-1)?.map((c) => c.action)).toEqual(['UPSERT']);
      expect(r53.records.get('cdn.example.com.|A|us-east-1')?.aliasTarget?.dnsName).toBe('edge-new.elb.us-east-1.amazonaws.com.');
    });

    it('an identity change of our record (alias or not) is a DELETE and a CREATE in one batch', async () => {
      await sync(config(['us-east-1']), targets('us-east-1'));
      const ours = r53.records.get('cdn.example.com.|A|us-east-1');
      // Someone replaced the alias by hand with a plain A record, keeping the ownership record.
      const { aliasTarget, ...rest } = ours ?? ({} as RecordSet);
      expect(aliasTarget).toBeDefined();
      r53.records.set('cdn.example.com.|A|us-east-1', { ...rest, ttl: 60, values: ['192.0.2.5'] });
      const result = await sync(config(['us-east-1']), targets('us-east-1'));
      expect(result.plan.units.map((u) => u.kind)).toEqual(['replace']);
      expect(r53.batches.at(-1)?.map((c) => c.action)).toEqual(['DELETE', 'CREATE']);
    });

    it('updates a health check in place where Route53 allows, and replaces it where it does not', async () => {
      await sync(config(['us-east-1']), targets('us-east-1'));
      const [first] = r53.healthChecks.keys();
      const moved = await sync(
        config(['us-east-1'], { cdn: CDN_YAML.replace('origin:', 'health_check: { path: /ready }\n  origin:') }),
        targets('us-east-1'),
      );
      expect(moved.plan.healthChecks.update).toEqual([expect.objectContaining({ id: first, fields: ['path'] })]);
      expect([...r53.healthChecks.keys()]).toEqual([first]);
      const http = await sync(
        config(['us-east-1'], { cdn: CDN_YAML.replace('origin:', 'health_check: { path: /ready, protocol: HTTP }\n  origin:') }),
        targets('us-east-1'),
      );
      expect(http.applied?.healthChecks).toEqual({ created: 1, updated: 0, deleted: 1, tagged: 0 });
      const [second] = r53.healthChecks.keys();
      expect(second).not.toBe(first);
      expect(r53.records.get('cdn.example.com.|A|us-east-1')?.healthCheckId).toBe(second);
    });
  });

  it('pairs a record with its ownership record by set identifier, not by the Region it answers for', async () => {
    const base = desiredState({ config: config(['us-east-1']), targets: targets('us-east-1') });
    // A kubeCDN region id other than the latency Region it answers from.
    const desired = { ...base, records: base.records.map((r) => ({ ...r, region: 'us-east-2' })) };
    await syncDns(r53, 'Z0TEST', desired, options);
    expect([...r53.records.keys()].sort()).toEqual(['_kubecdn-a.cdn.example.com.|TXT|us-east-1', 'cdn.example.com.|A|us-east-1']);
    expect((await syncDns(r53, 'Z0TEST', desired, options)).plan.units).toEqual([]);
  });

  describe('batches', () => {
    it('respect the limits, never split a record from its ownership record, and put deletes first', () => {
      const hosts = Array.from({ length: 16 }, (_, i) => `h${i}.example.com`);
      const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1'];
      // More hostnames than cdn.yaml takes (10), as --hostname gives them.
      const desired = desiredState({ config: config(regions), targets: targets(...regions), hostnames: hosts });
      const plan = planDns(desired, { zoneId: 'Z0TEST', records: [], healthChecks: [] });
      // 64 units of 2 changes; a limit of 10 elements fits 5 units a batch.
      const batches = toBatches(plan.units, { elements: 10, characters: 32_000 });
      expect(batches).toHaveLength(13);
      for (const batch of batches) {
        expect(batch.length).toBeLessThanOrEqual(10);
        const a = batch.filter((c) => c.record.type === 'A').map((c) => `${c.record.name}|${c.record.setIdentifier ?? ''}`);
        const txt = batch
          .filter((c) => c.record.type === 'TXT')
          .map((c) => `${c.record.name.replace('_kubecdn-a.', '')}|${c.record.setIdentifier ?? ''}`);
        expect(txt.sort()).toEqual(a.sort());
      }
      // The 32,000-character limit binds before the element limit on long ownership values.
      expect(toBatches(plan.units, { elements: 1000, characters: 400 }).length).toBeGreaterThan(1);
    });

    it('put deletes before creates, across and within batches', async () => {
      await sync(config(['us-east-1', 'eu-west-1']), targets('us-east-1', 'eu-west-1'));
      // Swap eu-west-1 for ap-south-1 in one run.
      const plan = planDns(desiredState({ config: config(['us-east-1', 'ap-south-1']), targets: targets('us-east-1', 'ap-south-1') }), {
        zoneId: 'Z0TEST',
        records: [...r53.records.values()],
        healthChecks: [...r53.healthChecks.values()],
      });
      expect(plan.units.map((u) => `${u.kind} ${u.region}`)).toEqual(['delete eu-west-1', 'create ap-south-1']);
      expect(plan.batches[0]?.map((c) => c.action)).toEqual(['DELETE', 'DELETE', 'CREATE', 'CREATE']);
    });

    it('a batch that fails half-way through the run leaves a zone the next run converges from', async () => {
      const hosts = Array.from({ length: 8 }, (_, i) => `h${i}.example.com`);
      const regions = ['us-east-1', 'eu-west-1'];
      const cfg = config(regions, { hostnames: hosts });
      const limits = { elements: 8, characters: 32_000 };
      r53.failBatch = { n: 2, error: new Error('Throttling: Rate exceeded') };
      await expect(
        syncDns(r53, 'Z0TEST', desiredState({ config: cfg, targets: targets(...regions) }), { ...options, limits }),
      ).rejects.toThrow('Throttling');
      // Nothing half-owned: every record there has its ownership record, and the reverse.
      const a = [...r53.records.values()].filter((r) => r.type === 'A').length;
      expect([...r53.records.values()].filter((r) => r.type === 'TXT').length).toBe(a);
      expect(a).toBe(4);
      await syncDns(r53, 'Z0TEST', desiredState({ config: cfg, targets: targets(...regions) }), { ...options, limits });
      expect([...r53.records.values()].filter((r) => r.type === 'A')).toHaveLength(16);
      const calls = r53.changeCalls();
      await syncDns(r53, 'Z0TEST', desiredState({ config: cfg, targets: targets(...regions) }), { ...options, limits });
      expect(r53.changeCalls()).toBe(calls);
    });
  });
});

// The cases an outside review found, each against the strict model (Route53's published rules,
// which moto does not all hold): the model is what shows that Route53 itself would refuse, and
// its call counts show that a refusal called nothing.
describe('sync-dns: what Route53 refuses, what a crash leaves, what nobody owns any more', () => {
  let r53: StrictRoute53;
  beforeEach(() => {
    r53 = new StrictRoute53();
  });
  const want = (cfg: Config, t: Record<string, Target>, extra: { exclude?: string[]; hostnames?: string[] } = {}) =>
    desiredState({ config: cfg, targets: t, ...extra });
  const run = (api: StrictRoute53, desired: Desired, extra: Partial<SyncOptions> = {}) =>
    syncDns(api, api.zoneId, desired, { ...options, ...extra });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => expect.fail('not refused'),
      (e: unknown) => e as DnsRefusedError,
    );
  const two = config(['us-east-1', 'eu-west-1']);
  const both = targets('us-east-1', 'eu-west-1');

  it('scopes health checks to the zone: a drain in one zone leaves the checks of the same owner in another', async () => {
    const other = r53.otherZone('example.org', 'Z0OTHER');
    const org = config(['us-east-1', 'eu-west-1'], {
      hostnames: ['cdn.example.org'],
      cdn: CDN_YAML.replace('zone_name: example.com', 'zone_name: example.org').replace('Z0TEST', 'Z0OTHER'),
    });
    await run(r53, want(two, both));
    await run(other, want(org, both));
    expect(r53.healthChecks.size).toBe(4);
    await run(other, want(org, both, { exclude: ['eu-west-1'] }));
    const used = [...r53.records.values()].map((r) => r.healthCheckId).filter(Boolean);
    for (const id of used) expect(r53.healthChecks.has(id ?? '')).toBe(true);
    const tags = [...r53.tags.values()].map((t) => `${t['kubecdn:zone'] ?? ''} ${t['kubecdn:region'] ?? ''}`).sort();
    expect(tags).toEqual(['Z0OTHER us-east-1', 'Z0TEST eu-west-1', 'Z0TEST us-east-1']);
  });

  it('never deletes a check a record in the zone uses: a record whose ownership record was deleted keeps its check', async () => {
    await run(r53, want(two, both));
    r53.records.delete('_kubecdn-a.cdn.example.com.|TXT|eu-west-1');
    const orphan = r53.records.get('cdn.example.com.|A|eu-west-1');
    const result = await run(r53, want(two, both, { exclude: ['eu-west-1'] }), { maxDeleteFraction: 1 });
    expect(result.plan.conflicts).toEqual([
      `health check ${orphan?.healthCheckId ?? ''} of eu-west-1 is not deleted: cdn.example.com A (eu-west-1) still uses it`,
    ]);
    expect(r53.healthChecks.has(orphan?.healthCheckId ?? '')).toBe(true);
  });

  it('refuses a drain that would leave a record answering for the region, calling nothing', async () => {
    await run(r53, want(two, both));
    r53.records.delete('_kubecdn-a.cdn.example.com.|TXT|eu-west-1');
    const calls = r53.changeCalls();
    const error = await refusal(run(r53, want(two, {}, { exclude: ['eu-west-1'] }), { maxDeleteFraction: 1, drain: 'eu-west-1' }));
    expect(error.refusals).toEqual([
      "draining eu-west-1 would leave cdn.example.com A (eu-west-1) answering for it: it is not kubeCDN kubecdn-test's (its ownership record is missing or another's); take it with --adopt or remove it, then drain again",
    ]);
    expect(r53.changeCalls()).toBe(calls);
  });

  // Relies on the strict model only for the zone it holds: which records answer for a region is
  // the planner's own reading of Region (the latency rule the model enforces keys on Region too).
  it('judges a drain by the Region a record answers for, not its set identifier, and gives advice that can be followed', async () => {
    await run(r53, want(two, both));
    const named: RecordSet = {
      name: 'cdn.example.com.',
      type: 'A',
      setIdentifier: 'eu-west-1',
      region: 'eu-central-1',
      ttl: 60,
      values: ['192.0.2.1'],
    };
    const answering: RecordSet = { ...named, setIdentifier: 'by-hand', region: 'eu-west-1' };
    // A record by hand named eu-west-1 that answers for eu-central-1, where ours stood.
    r53.records.delete('_kubecdn-a.cdn.example.com.|TXT|eu-west-1');
    r53.records.delete('cdn.example.com.|A|eu-west-1');
    r53.seed(named);
    const drained = await run(r53, want(two, {}, { exclude: ['eu-west-1'] }), { maxDeleteFraction: 1, drain: 'eu-west-1' });
    expect(drained.plan.refusals).toEqual([]);
    r53.seed(answering);
    const error = await refusal(run(r53, want(two, {}, { exclude: ['eu-west-1'] }), { maxDeleteFraction: 1, drain: 'eu-west-1' }));
    expect(error.refusals).toEqual([
      "draining eu-west-1 would leave cdn.example.com A (by-hand) answering for it: it is not kubeCDN kubecdn-test's (its ownership record is missing or another's); remove it (it is not at a place of kubeCDN, so --adopt does not take it), then drain again",
    ]);
  });

  // Relies on the strict model: moto takes any alias target, while Route53 refuses an alias whose
  // name does not lie within its target hosted zone. The targets file refuses such a target before
  // any call (test/load-balancers.test.ts); here, the model holds the rule the loader follows.
  it("Route53 (the model) refuses an alias to an ALB's name with the region's NLB zone, as the targets file does", async () => {
    const alb = { 'us-east-1': { dnsName: 'k8s-a-1.us-east-1.elb.amazonaws.com', hostedZoneId: 'Z26RNL4JYFTOTI' } };
    await expect(run(r53, want(config(['us-east-1']), alb))).rejects.toThrow(
      'InvalidChangeBatch: Tried to create an alias that targets k8s-a-1.us-east-1.elb.amazonaws.com., type A in zone Z26RNL4JYFTOTI, but the alias target name does not lie within the target zone',
    );
    expect(r53.records.size).toBe(0);
    expect(loadTargets({ path: 't.json', text: JSON.stringify(alb) }).targets).toBeUndefined();
  });

  // Relies on the strict model: moto has no ListResourceRecordSetProtections (it answers 404), and
  // Route53 rejects a whole batch that changes a protected name and type. The model enforces that;
  // the plan leaves such places out and shows them, and the rest of the sync goes on.
  it('leaves a protected name and type alone, shown, with no health check made for it, and the rest goes on', async () => {
    const hosts = { hostnames: ['cdn.example.com', 'static.example.com'] };
    await run(r53, want(config(['us-east-1'], hosts), targets('us-east-1')));
    r53.protect('static.example.com', 'A', 'frozen for the launch');
    const three = config(['us-east-1', 'eu-west-1'], hosts);
    const checks = r53.healthChecks.size;
    const result = await run(r53, want(three, both));
    expect(result.plan.conflicts).toEqual([
      'cannot create static.example.com A (eu-west-1): static.example.com. A is protected (frozen for the launch), and Route53 refuses a batch that changes it; left as it is until the protection is deleted (DeleteResourceRecordSetProtections)',
    ]);
    expect(r53.records.has('cdn.example.com.|A|eu-west-1')).toBe(true);
    expect(r53.records.has('static.example.com.|A|eu-west-1')).toBe(false);
    expect(r53.healthChecks.size).toBe(checks + 1);
    // Only the protected region: no health check for a region none of whose records can be written.
    r53.protect('cdn.example.com', 'A');
    const before = r53.calls['CreateHealthCheck'];
    const blocked = await run(
      r53,
      want(config(['us-east-1', 'eu-west-1', 'ap-south-1'], hosts), targets('us-east-1', 'eu-west-1', 'ap-south-1')),
    );
    expect(blocked.plan.conflicts).toHaveLength(3);
    expect(r53.records.has('cdn.example.com.|A|ap-south-1')).toBe(false);
    expect(r53.calls['CreateHealthCheck']).toBe(before);
  });

  it('refuses, naming it, a foreign latency record for a region we serve; Route53 (the model) would refuse the batch', async () => {
    const theirs: RecordSet = {
      name: 'cdn.example.com.',
      type: 'A',
      setIdentifier: 'theirs',
      region: 'us-east-1',
      ttl: 60,
      values: ['192.0.2.1'],
    };
    r53.seed(theirs);
    const result = await run(r53, want(config(['us-east-1']), targets('us-east-1')));
    expect(result.plan.conflicts).toEqual([
      'cannot write cdn.example.com A (us-east-1): cdn.example.com A (theirs) already answers for us-east-1: Route53 takes one latency record per region for a name and type',
    ]);
    expect(r53.changeCalls()).toBe(0);
    const ours = { ...theirs, setIdentifier: 'us-east-1', values: ['192.0.2.2'] };
    await expect(r53.changeRecordSets('Z0TEST', [{ action: 'CREATE', record: ours }])).rejects.toThrow(/two latency records for us-east-1/);
  });

  it('refuses a CNAME at the ownership name, calling nothing; the model refuses the TXT beside it', async () => {
    const cname: RecordSet = { name: '_kubecdn-a.cdn.example.com.', type: 'CNAME', ttl: 60, values: ['elsewhere.example.net'] };
    r53.seed(cname);
    const result = await run(r53, want(config(['us-east-1']), targets('us-east-1')));
    expect(result.plan.conflicts).toEqual([
      'cannot write cdn.example.com A (us-east-1): _kubecdn-a.cdn.example.com CNAME is a CNAME: no other record may share its name',
    ]);
    expect(r53.changeCalls()).toBe(0);
    const txt = desiredState({ config: config(['us-east-1']), targets: targets('us-east-1') }).records.find((r) => r.type === 'TXT');
    await expect(r53.changeRecordSets('Z0TEST', [{ action: 'CREATE', record: txt as RecordSet }])).rejects.toThrow(/CNAME/);
  });

  it('refuses hostnames outside the zone, and ones too long for their ownership record, calling nothing', async () => {
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(55)}.example.com`;
    const error = await refusal(run(r53, want(config(['us-east-1']), targets('us-east-1'), { hostnames: ['cdn.example.org', long] })));
    expect(error.refusals).toEqual([
      "cdn.example.org is not inside the zone example.com: Route53 keeps a zone's records within its name; nothing is written for it",
      `${long} is too long: its ownership record _kubecdn-aaaa.${long} would be over 253 characters; nothing is written for it`,
    ]);
    expect(r53.changeCalls()).toBe(0);
    await expect(
      r53.changeRecordSets('Z0TEST', [
        { action: 'CREATE', record: { name: 'cdn.example.org.', type: 'A', ttl: 60, values: ['192.0.2.1'] } },
      ]),
    ).rejects.toThrow(/not permitted in zone example.com/);
  });

  it("counts a batch's cost by itself: batches the planner packs within the limits pass, and a batch over them fails", async () => {
    const hosts = Array.from({ length: 260 }, (_, i) => `h${i}.example.com`);
    const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1'];
    const desired = want(config(regions), targets(...regions), { hostnames: hosts });
    const lax = await run(new StrictRoute53(), desired, { limits: { elements: 100_000, characters: 10_000_000 } }).catch((e: unknown) => e);
    expect(String(lax)).toMatch(/InvalidChangeBatch: 1040 ResourceRecord elements, more than 1000/);
    const result = await run(r53, desired);
    expect(result.applied?.batches).toBeGreaterThan(1);
    for (const batch of r53.batches) {
      const cost = StrictRoute53.cost(batch);
      expect(cost.resourceRecords).toBeLessThanOrEqual(1000);
      expect(cost.characters).toBeLessThanOrEqual(32_000);
    }
  });

  it('a lost response is not a failure: the retried CREATE fails, the zone is read again, and the run goes on', async () => {
    const hosts = Array.from({ length: 8 }, (_, i) => `h${i}.example.com`);
    const desired = want(config(['us-east-1', 'eu-west-1'], { hostnames: hosts }), both);
    r53.loseResponse = { n: 1 };
    const lines: string[] = [];
    const log = { info: (l: string) => lines.push(l), group: async <T>(t: string, w: () => Promise<T>) => (lines.push(t), w()) };
    const result = await run(r53, desired, { limits: { elements: 8, characters: 32_000 }, log });
    expect(result.applied).toMatchObject({ batches: 4, recovered: 1 });
    expect(lines).toContain('the zone holds the whole batch: it was committed and only its response was lost; carrying on');
    expect(lines.some((l) => /^the change call failed \(InvalidChangeBatch: Tried to create/.test(l))).toBe(true);
    expect([...r53.records.values()].filter((r) => r.type === 'A')).toHaveLength(16);
    expect((await run(r53, desired)).plan.units).toEqual([]);
  });

  it('a lost response on a drain: the retried DELETE fails, and the drain is done all the same', async () => {
    await run(r53, want(two, both));
    r53.loseResponse = { n: 2 };
    const result = await run(r53, want(two, both, { exclude: ['eu-west-1'] }), { maxDeleteFraction: 1 });
    expect(result.applied?.recovered).toBe(1);
    expect([...r53.records.keys()].sort()).toEqual(['_kubecdn-a.cdn.example.com.|TXT|us-east-1', 'cdn.example.com.|A|us-east-1']);
    expect(r53.healthChecks.size).toBe(1);
  });

  // Relies on the strict model: moto answers a second DeleteHealthCheck of the same id without
  // the NoSuchHealthCheck that Route53 gives, so only the model shows the retried call failing.
  it('a lost DeleteHealthCheck response is not a failure: the retry finds the check gone, and the run ends done', async () => {
    await run(r53, want(two, both));
    const lines: string[] = [];
    const log = { info: (l: string) => lines.push(l), group: async <T>(t: string, w: () => Promise<T>) => (lines.push(t), w()) };
    r53.loseResponseOf = { operation: 'DeleteHealthCheck', n: 1 };
    const result = await run(r53, want(two, both, { exclude: ['eu-west-1'] }), { maxDeleteFraction: 1, log });
    expect(r53.calls['DeleteHealthCheck']).toBe(2);
    expect(result.applied?.healthChecks.deleted).toBe(1);
    expect(lines.some((l) => /^health check hc-\d+ of eu-west-1 deleted: no record uses it \(it was already gone\)$/.test(l))).toBe(true);
    expect(r53.healthChecks.size).toBe(1);
  });

  // Relies on the strict model: it answers the SDK's retry of CreateHealthCheck (same caller
  // reference, same settings) with the check the first call made, and a second
  // ChangeTagsForResource with the same tags, as Route53's API reference says.
  it('lost CreateHealthCheck and ChangeTagsForResource responses leave one check per region, tagged', async () => {
    r53.loseResponseOf = { operation: 'CreateHealthCheck', n: 1 };
    await run(r53, want(two, both));
    r53.loseResponseOf = { operation: 'ChangeTagsForResource', n: 1 };
    await run(r53, want(config(['us-east-1', 'eu-west-1', 'ap-south-1']), targets('us-east-1', 'eu-west-1', 'ap-south-1')));
    expect(r53.calls['CreateHealthCheck']).toBe(4);
    expect(r53.healthChecks.size).toBe(3);
    for (const id of r53.healthChecks.keys()) expect(r53.tags.get(id)).toMatchObject({ 'kubecdn:owner': 'kubecdn-test' });
    expect(
      (await run(r53, want(config(['us-east-1', 'eu-west-1', 'ap-south-1']), targets('us-east-1', 'eu-west-1', 'ap-south-1')))).plan.units,
    ).toEqual([]);
  });

  it('a batch that truly failed still stops the run, with nothing half-owned', async () => {
    r53.failBatch = { n: 1, error: new Error('InvalidChangeBatch: something Route53 refused') };
    await expect(run(r53, want(two, both))).rejects.toThrow('something Route53 refused');
    expect(r53.records.size).toBe(0);
    // The two checks made for the records that never landed are deleted again (strict model: its
    // health checks are account-wide, as Route53's, and nothing else deletes them).
    expect(r53.calls['CreateHealthCheck']).toBe(2);
    expect(r53.healthChecks.size).toBe(0);
  });

  it('tags, on the next run, a check made by a run that died before tagging it, and makes no other', async () => {
    r53.failTag = { n: 1 };
    await expect(run(r53, want(config(['us-east-1']), targets('us-east-1')))).rejects.toThrow(/killed/);
    const [made] = [...r53.healthChecks.keys()];
    expect(r53.tags.get(made ?? '')).toBeUndefined();
    const next = await run(r53, want(config(['us-east-1']), targets('us-east-1')));
    expect(next.applied?.healthChecks).toEqual({ created: 0, updated: 0, deleted: 0, tagged: 1 });
    expect(r53.tags.get(made ?? '')).toMatchObject({
      'kubecdn:owner': 'kubecdn-test',
      'kubecdn:zone': 'Z0TEST',
      'kubecdn:region': 'us-east-1',
    });
    expect(r53.records.get('cdn.example.com.|A|us-east-1')?.healthCheckId).toBe(made);
  });

  // Relies on the strict model: its caller references and tags behave as Route53's; whose check
  // an untagged one is is the planner's rule.
  it('claims an untagged check only when it checks one of our edges, not on the hash of its reference alone', async () => {
    const scope = { ownerId: 'kubecdn-test', zoneId: 'Z0TEST' };
    const spec = {
      region: 'eu-west-1',
      fqdn: 'someone-else.example.net',
      path: '/',
      port: 443,
      protocol: 'HTTPS',
      interval: 30,
      failureThreshold: 3,
    } as const;
    const stranger = await r53.createHealthCheck(callerReference(scope, 'eu-west-1', 'zz'), spec);
    await run(r53, want(config(['us-east-1', 'eu-west-1']), targets('us-east-1', 'eu-west-1')));
    expect(r53.healthChecks.has(stranger)).toBe(true);
    expect(r53.tags.get(stranger)).toBeUndefined();
    await run(r53, want(config(['us-east-1']), targets('us-east-1')));
    expect(r53.healthChecks.has(stranger)).toBe(true);
    expect(r53.tags.get(stranger)).toBeUndefined();
  });

  it('converges after a crash in the middle of a check replacement, with no third check', async () => {
    const https = want(config(['us-east-1']), targets('us-east-1'));
    await run(r53, https);
    const [old] = [...r53.healthChecks.keys()];
    const http = want(
      config(['us-east-1'], { cdn: CDN_YAML.replace('origin:', 'health_check: { protocol: HTTP }\n  origin:') }),
      targets('us-east-1'),
    );
    // The new check is made; the process dies before the records move to it.
    r53.failBatch = { n: 2, error: new Error('process killed'), kill: true };
    await expect(run(r53, http)).rejects.toThrow('killed');
    r53.restart();
    expect(r53.healthChecks.size).toBe(2);
    const created = r53.calls['CreateHealthCheck'];
    const next = await run(r53, http);
    expect(next.applied?.healthChecks).toMatchObject({ created: 0, deleted: 1 });
    expect(r53.calls['CreateHealthCheck']).toBe(created);
    expect([...r53.healthChecks.keys()]).not.toContain(old);
    expect(r53.records.get('cdn.example.com.|A|us-east-1')?.healthCheckId).toBe([...r53.healthChecks.keys()][0]);
  });

  it('shows a record whose ownership record was deleted, lets an unrelated drain go on, and adopts it when asked', async () => {
    const three = config(['us-east-1', 'eu-west-1', 'ap-south-1']);
    const all = targets('us-east-1', 'eu-west-1', 'ap-south-1');
    await run(r53, want(three, all));
    r53.records.delete('_kubecdn-a.cdn.example.com.|TXT|us-east-1');
    const drained = await run(r53, want(three, all, { exclude: ['ap-south-1'] }), { maxDeleteFraction: 1 });
    expect(drained.plan.conflicts).toEqual([
      "cannot write cdn.example.com A (us-east-1): cdn.example.com A (us-east-1) exists and is not kubeCDN kubecdn-test's: left as it is (its ownership record is missing or not kubeCDN's: --adopt takes it)",
      'health check hc-1 of us-east-1 is not deleted: cdn.example.com A (us-east-1) still uses it',
    ]);
    expect(r53.records.has('cdn.example.com.|A|ap-south-1')).toBe(false);
    expect(r53.records.has('cdn.example.com.|A|us-east-1')).toBe(true);
    const adopted = await run(r53, want(three, all, { exclude: ['ap-south-1'] }), { adopt: true });
    expect(adopted.plan.units.map((u) => `${u.kind} ${u.region}`)).toEqual(['adopt us-east-1']);
    expect(adopted.plan.conflicts).toEqual([]);
    expect(r53.records.has('_kubecdn-a.cdn.example.com.|TXT|us-east-1')).toBe(true);
    expect((await run(r53, want(three, all, { exclude: ['ap-south-1'] }))).plan.units).toEqual([]);
  });

  // Relies on the strict model for the zone it holds and for refusing nothing it should not; what
  // --adopt may take is the planner's own rule (Route53 has no notion of it).
  it('--adopt takes nothing in a region the region files do not name, and its deletions count in the guards', async () => {
    const handMade = (region: string): RecordSet => ({
      name: 'cdn.example.com.',
      type: 'A',
      setIdentifier: region,
      region,
      ttl: 60,
      values: ['192.0.2.1'],
    });
    // ap-south-1 is in no region file: a latency record there is someone else's, even with --adopt.
    await run(r53, want(two, both));
    r53.seed(handMade('ap-south-1'));
    const adopted = await run(r53, want(two, both), { adopt: true });
    expect(adopted.plan.units).toEqual([]);
    expect(r53.records.has('cdn.example.com.|A|ap-south-1')).toBe(true);

    // eu-west-1 is in the files but disabled, and a hand-made record is all that serves the
    // hostname: deleting it with --adopt would leave the hostname with nothing, and is refused.
    const fresh = new StrictRoute53();
    fresh.seed(handMade('eu-west-1'));
    const disabled = config(['us-east-1', 'eu-west-1']);
    const calls = fresh.changeCalls();
    const error = await refusal(run(fresh, want(disabled, {}, { exclude: ['eu-west-1'] }), { adopt: true, minExisting: 1 }));
    expect(error.guards).toEqual([
      "this would delete 1 of kubeCDN's 1 records (100%), more than the 30% allowed in one run",
      'cdn.example.com A would be left with no serving region',
    ]);
    expect(fresh.changeCalls()).toBe(calls);
  });

  it('moves our records off a check of an earlier version (no zone in its reference) and leaves that check alone', async () => {
    const desired = want(config(['us-east-1']), targets('us-east-1'));
    const legacy = await r53.createHealthCheck(
      `kubecdn-${shortTag('kubecdn-test')}-us-east-1-old`,
      desired.healthChecks[0] as HealthCheckSpec,
    );
    const [alias, txt] = [desired.records.find((r) => r.type === 'A'), desired.records.find((r) => r.type === 'TXT')] as RecordSet[];
    r53.seed({ ...(alias as RecordSet), healthCheckId: legacy }, txt as RecordSet);
    const result = await run(r53, desired);
    expect(result.plan.units.map((u) => u.kind)).toEqual(['update']);
    expect(r53.healthChecks.has(legacy)).toBe(true);
    expect(r53.records.get('cdn.example.com.|A|us-east-1')?.healthCheckId).not.toBe(legacy);
    // Never forgotten: every plan lists it by id, in the text a user reads.
    expect(result.plan.legacyChecks).toEqual([{ id: legacy, region: 'us-east-1' }]);
    expect(dnsPlanToText(result.plan)).toContain(
      `health checks of an earlier version, left for you to delete once no record uses them: ${legacy} (us-east-1)`,
    );
    expect((await run(r53, desired)).plan.units).toEqual([]);
  });
});

// The bootstrap's ACM validation records (`_<32 hex>.<hostname>` CNAMEs) share the zone and the
// hostnames' suffix with sync-dns's own records; every region's certificate renews with them.
describe("sync-dns leaves the bootstrap's certificate validation records alone", () => {
  let r53: StrictRoute53;
  beforeEach(() => {
    r53 = new StrictRoute53();
  });
  const validation = (host: string, token: string): RecordSet => ({
    name: `_${token}.${host}.`,
    type: 'CNAME',
    ttl: 60,
    values: [`_${token.split('').reverse().join('')}.xlfgrmvvlj.acm-validations.aws.`],
  });
  const records = [
    validation('cdn.example.com', '0123456789abcdef0123456789abcdef'),
    validation('static.example.com', 'fedcba9876543210fedcba9876543210'),
  ];
  const run = (desired: Desired, extra: Partial<SyncOptions> = {}) => syncDns(r53, r53.zoneId, desired, { ...options, ...extra });
  const hostnames = ['cdn.example.com', 'static.example.com'];
  const three = config(['us-east-1', 'eu-west-1', 'ap-south-1'], { hostnames });
  const all = targets('us-east-1', 'eu-west-1', 'ap-south-1');
  const unchanged = () => {
    for (const r of records) expect(r53.records.get(recordKey(r))).toEqual(r);
  };

  it('after a sync, a drain and an adopt', async () => {
    r53.seed(...records);
    const synced = await run(desiredState({ config: three, targets: all }));
    expect(synced.plan.conflicts).toEqual([]);
    unchanged();
    const drained = await run(desiredState({ config: three, targets: all, exclude: ['ap-south-1'] }), { maxDeleteFraction: 1 });
    expect(r53.records.has('cdn.example.com.|A|ap-south-1')).toBe(false);
    expect(drained.plan.conflicts).toEqual([]);
    unchanged();
    r53.records.delete('_kubecdn-a.cdn.example.com.|TXT|us-east-1');
    const adopted = await run(desiredState({ config: three, targets: all, exclude: ['ap-south-1'] }), { adopt: true });
    expect(adopted.plan.units.map((u) => `${u.kind} ${u.region}`)).toEqual(['adopt us-east-1']);
    unchanged();
    expect([...r53.records.values()].filter((r) => r.type === 'CNAME')).toEqual(records);
  });
});
