import { beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../src/core/config.js';
import { desiredState, type Target } from '../src/core/dns/desired.js';
import { planDns, toBatches } from '../src/core/dns/plan.js';
import { ownershipName, ownershipValue, recordKey, type RecordSet } from '../src/core/dns/records.js';
import { DnsRefusedError, syncDns } from '../src/core/dns/sync.js';
import { CDN_YAML, load, region } from './fixtures.js';
import { StrictRoute53 } from './route53-model.js';

const list = (...entries: string[]) => `regions:\n${entries.join('')}`;

function config(regions: string[], options: { hostnames?: string[]; dualStack?: string[]; cdn?: string } = {}): Config {
  const [first, ...rest] = regions;
  const entry = (code: string, enabled?: boolean) => {
    const text = region(code, enabled === undefined ? {} : { enabled });
    return options.dualStack?.includes(code) ? text.replace('cache_size: 10Gi', 'cache_size: 10Gi\n      dual_stack: true') : text;
  };
  const hostnames = options.hostnames ?? ['cdn.example.com'];
  const result = load({
    alwaysOn: list(entry(first ?? 'us-east-1')),
    scalable: rest.length ? list(...rest.map((c) => entry(c, true))) : 'regions: []\n',
    cdn: (options.cdn ?? CDN_YAML).replace('hostnames: [cdn.example.com]', `hostnames: [${hostnames.join(', ')}]`),
  });
  if (!result.config) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

const targets = (...codes: string[]): Record<string, Target> =>
  Object.fromEntries(
    codes.map((c) => [c, { dnsName: `edge-${c}.elb.${c}.amazonaws.com`, hostedZoneId: `ZLB${c.replace(/-/g, '').toUpperCase()}` }]),
  );

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
    expect(result.applied).toEqual({ batches: 1, changes: 8, recovered: 0, healthChecks: { created: 2, updated: 0, deleted: 0, tagged: 0 } });
    const a = r53.records.get('cdn.example.com.|A|eu-west-1');
    expect(a).toEqual({
      name: 'cdn.example.com.',
      type: 'A',
      setIdentifier: 'eu-west-1',
      region: 'eu-west-1',
      aliasTarget: { hostedZoneId: 'ZLBEUWEST1', dnsName: 'edge-eu-west-1.elb.eu-west-1.amazonaws.com.', evaluateTargetHealth: true },
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
      await sync(config(['us-east-1']), { 'us-east-1': { dnsName: 'edge-new.elb.amazonaws.com', hostedZoneId: 'ZLBNEW' } });
      expect(r53.batches.at(-1)?.map((c) => c.action)).toEqual(['UPSERT']);
      expect(r53.records.get('cdn.example.com.|A|us-east-1')?.aliasTarget?.dnsName).toBe('edge-new.elb.amazonaws.com.');
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
      const desired = desiredState({ config: config(regions, { hostnames: hosts }), targets: targets(...regions) });
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
