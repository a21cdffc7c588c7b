// Purge against real nginx (Debian's) running the edge's exact rendered nginx.conf, only paths and
// ports moved: two processes stand in for two pods of us-east-1 and a third for eu-west-1. The
// cluster is the one piece in between: here each "pod" is its nginx's loopback purge port, which is
// what kubectl port-forward gives on a real cluster (it connects to 127.0.0.1 inside the pod).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config, Region } from '../src/core/config.js';
import { CONTAINER_LAYOUT, renderNginxConf, type RuntimeLayout } from '../src/core/edge/nginx.js';
import { cacheFile, parsePurgeTarget, regionLine, runPurge, type Cluster, type PurgeTarget } from '../src/core/purge.js';
import { podCacheAt } from '../src/node/purge.js';
import { purge } from '../src/cli/purge.js';
import { plain } from '../src/core/render.js';
import { get, startEdge, type Edge } from './edge.js';
import { CDN_YAML, load, regionDir, VALID } from './fixtures.js';
import { CLI, kubecdn } from './run.js';

const HOSTS = ['cdn.example.com', 'static.example.com'];

/** An origin whose answers the test sets: a body per path, or a 404 when there is none. */
async function startOrigin() {
  const content = new Map<string, string>();
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method ?? ''} ${req.url ?? ''}`);
    const body = content.get(req.url ?? '');
    res.writeHead(body === undefined ? 404 : 200, {
      'content-type': 'text/plain',
      'cache-control': 'public, max-age=600',
      // One path varies by a request header: nginx keeps one file per variant.
      ...(req.url === '/vary.js' ? { vary: 'X-Variant' } : {}),
      // Vary late in a long header, after a long key: as far into the cache file as the edge lets it
      // be (nginx stores the file's header, the key and the answer's header in one 4 KiB buffer).
      ...(req.url?.startsWith('/late-vary.js') ? { 'x-padding': 'p'.repeat(1900), vary: 'X-Variant' } : {}),
    });
    res.end(body ?? 'not found\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    content,
    hits,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

function cdnYaml(origin: string): string {
  return CDN_YAML.replace('https://origin.example.com', origin).replace('[cdn.example.com]', `[${HOSTS.join(', ')}]`);
}

function configFor(origin: string): Config {
  const result = load({ cdn: cdnYaml(origin) });
  if (!result.config) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

const regionOf = (config: Config, code: string): Region => {
  const r = config.regions.find((x) => x.region === code);
  if (!r) throw new Error(`no ${code}`);
  return r;
};

/** The pods as the purge sees them: region -> pod name -> its nginx. */
type Pods = Record<string, Record<string, Edge>>;

function harnessCluster(pods: Pods): Cluster {
  return {
    runningPods: (region) => Promise.resolve(Object.keys(pods[region] ?? {}).map((name) => ({ name, uid: name }))),
    open: (region, pod) => {
      const edge = pods[region]?.[pod];
      if (!edge) return Promise.reject(new Error(`no pod ${pod}`));
      return Promise.resolve({ ...podCacheAt(edge.layout.purgePort), close: () => Promise.resolve() });
    },
  };
}

const status = async (edge: Edge, pathname: string, host = 'cdn.example.com') => {
  const a = await get(edge.port, pathname, host);
  return `${a.headers['x-cache-status'] as string} ${a.status} ${a.body.trim()}`;
};

const variant = (edge: Edge, name: string, pathname = '/vary.js') =>
  new Promise<string>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: edge.port, path: pathname, headers: { host: 'cdn.example.com', 'x-variant': name } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(`${res.headers['x-cache-status'] as string} ${body}`));
      },
    );
    req.on('error', reject);
    req.end();
  });

describe('purge, on three real edge processes in two regions', () => {
  const running: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
  });

  async function setup() {
    const origin = await startOrigin();
    running.push({ stop: origin.close });
    const config = configFor(origin.url);
    const start = async (code: string) => {
      const edge = await startEdge(config, regionOf(config, code));
      running.push(edge);
      return edge;
    };
    const pods: Pods = {
      'us-east-1': { 'edge-a': await start('us-east-1'), 'edge-b': await start('us-east-1') },
      'eu-west-1': { 'edge-c': await start('eu-west-1') },
    };
    const edges = Object.values(pods).flatMap((p) => Object.values(p));
    return { origin, config, pods, edges, cluster: harnessCluster(pods) };
  }

  const purgeWith = (cluster: Cluster, target: PurgeTarget) =>
    runPurge({ target, regions: ['us-east-1', 'eu-west-1'], reason: 'test', actor: 'tester', cluster });

  it('runs the exact rendered nginx.conf, with only paths and ports moved', async () => {
    const { config, pods } = await setup();
    const edge = pods['us-east-1']?.['edge-a'] as Edge;
    const container = renderNginxConf(config, regionOf(config, 'us-east-1'));
    // Every field of the layout, swapped in one pass (so that a moved value never gets moved again),
    // each only where it stands whole: a port not inside a longer number, a path not inside a longer name.
    const fields = Object.keys(CONTAINER_LAYOUT) as (keyof RuntimeLayout)[];
    expect(Object.keys(edge.layout).sort()).toEqual([...fields].sort());
    const moves = new Map(fields.map((k) => [String(CONTAINER_LAYOUT[k]), String(edge.layout[k])]));
    const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const whole = new RegExp(`(?<![\\w.-])(${[...moves.keys()].map(escape).join('|')})(?![\\w.-])`, 'g');
    for (const from of moves.keys()) expect(container.match(whole), `${from} is in the container's config`).toContain(from);
    expect(edge.conf).toBe(container.replace(whole, (from) => moves.get(from) ?? from));
    // The purge listener is bound to loopback only, in the container's config too.
    expect(container).toMatch(/\n {4}listen 127\.0\.0\.1:8081;\n/);
  });

  it('purges URLs in every pod of every region: the next request gets the origin as it is now, a 404 included', async () => {
    const { origin, config, edges, cluster } = await setup();
    origin.content.set('/app.js', 'app v1');
    origin.content.set('/old.js', 'old v1');
    origin.content.set('/keep.js', 'keep v1');
    origin.content.set('/vary.js', 'vary v1');
    for (const edge of edges) {
      for (const p of ['/app.js', '/old.js', '/keep.js']) {
        expect(await status(edge, p)).toMatch(/^MISS 200/);
        expect(await status(edge, p)).toMatch(/^HIT 200/);
      }
      for (const v of ['one', 'two']) expect([await variant(edge, v), await variant(edge, v)]).toEqual(['MISS vary v1', 'HIT vary v1']);
    }
    // The edge keeps each URL where the purge looks for it: the MD5 of its key, levels=1:2.
    for (const edge of edges) expect(existsSync(path.join(edge.layout.cacheDir, cacheFile('cdn.example.com/app.js')))).toBe(true);

    origin.content.set('/app.js', 'app v2');
    origin.content.delete('/old.js');
    origin.content.set('/keep.js', 'keep v2');
    origin.content.set('/vary.js', 'vary v2');
    // The origin has changed; the edges still serve what they stored, until the purge.
    for (const edge of edges) {
      expect(await status(edge, '/app.js')).toBe('HIT 200 app v1');
      expect(await status(edge, '/old.js')).toBe('HIT 200 old v1');
      for (const v of ['one', 'two']) expect(await variant(edge, v)).toBe('HIT vary v1');
    }
    const target = parsePurgeTarget(
      {
        urls: ['https://cdn.example.com/app.js', 'https://CDN.example.com/old.js#fragment', 'https://cdn.example.com/vary.js'],
        everything: false,
      },
      config.cdn.hostnames,
    );
    const report = await purgeWith(cluster, target);
    expect(report.ok).toBe(true);
    // Three URLs, and the second variant of the one that varies: four files in each pod.
    expect(report.regions.map((r) => [r.region, r.running.length, r.pods.map((p) => [p.pod, p.ok, p.removed])])).toEqual([
      [
        'us-east-1',
        2,
        [
          ['edge-a', true, 4],
          ['edge-b', true, 4],
        ],
      ],
      ['eu-west-1', 1, [['edge-c', true, 4]]],
    ]);

    for (const edge of edges) {
      expect([await status(edge, '/app.js'), await status(edge, '/app.js')]).toEqual(['MISS 200 app v2', 'HIT 200 app v2']);
      expect([await status(edge, '/old.js'), await status(edge, '/old.js')]).toEqual(['MISS 404 not found', 'HIT 404 not found']);
      // Each variant of an answer that varies, not only the one the key names.
      for (const v of ['one', 'two']) expect([await variant(edge, v), await variant(edge, v)]).toEqual(['MISS vary v2', 'HIT vary v2']);
      // Not named, not purged: still the old copy, from the cache.
      expect(await status(edge, '/keep.js')).toBe('HIT 200 keep v1');
    }
    // A second purge finds nothing more of the old copies, and says so.
    const again = await purgeWith(
      cluster,
      parsePurgeTarget({ urls: ['https://cdn.example.com/nothing.js'], everything: false }, config.cdn.hostnames),
    );
    expect(again.ok).toBe(true);
    expect(again.regions.flatMap((r) => r.pods.map((p) => p.removed))).toEqual([0, 0, 0]);
  });

  it('purges every variant of an answer that varies: with Vary late in the file, and on a rerun after a purge failed halfway', async () => {
    const { origin, config, edges, cluster } = await setup();
    const late = `/late-vary.js?${'q'.repeat(1500)}`;
    origin.content.set(late, 'late v1');
    origin.content.set('/vary.js', 'vary v1');
    for (const edge of edges)
      for (const [p, body] of [
        [late, 'late v1'],
        ['/vary.js', 'vary v1'],
      ] as const)
        for (const v of ['one', 'two'])
          expect([await variant(edge, v, p), await variant(edge, v, p)]).toEqual([`MISS ${body}`, `HIT ${body}`]);
    origin.content.set(late, 'late v2');
    origin.content.set('/vary.js', 'vary v2');
    for (const edge of edges) expect(await variant(edge, 'two', late)).toBe('HIT late v1');
    const urls = [`https://cdn.example.com${late}`, 'https://cdn.example.com/vary.js'];
    const target = parsePurgeTarget({ urls, everything: false }, config.cdn.hostnames);

    // The first purge loses its pod in us-east-1 halfway: it could read and delete files, but its
    // cache folder's listing failed.
    const halfway: Cluster = {
      ...cluster,
      open: async (region, pod) => {
        const open = await cluster.open(region, pod);
        if (pod !== 'edge-a') return open;
        return { ...open, list: () => Promise.reject(new Error('lost the port-forward')) };
      },
    };
    const first = await purgeWith(halfway, target);
    expect(first.regions.map(regionLine)).toEqual([
      '✗ us-east-1: 1 of 2 pods confirmed, 4 cache files removed (INCOMPLETE: edge-a: lost the port-forward)',
      '✓ eu-west-1: 1 of 1 pods confirmed, 4 cache files removed',
    ]);
    // Run again, as the summary says: the variants left are found, though a file was deleted.
    const again = await purgeWith(cluster, target);
    expect(again.ok).toBe(true);
    for (const edge of edges)
      for (const [p, body] of [
        [late, 'late v2'],
        ['/vary.js', 'vary v2'],
      ] as const)
        for (const v of ['one', 'two'])
          expect([await variant(edge, v, p), await variant(edge, v, p)]).toEqual([`MISS ${body}`, `HIT ${body}`]);
  });

  it('purges everything of one hostname, leaving the others; then everything', async () => {
    const { origin, config, edges, cluster } = await setup();
    for (const p of ['/a', '/b', '/c?x=1']) origin.content.set(p, `${p} v1`);
    for (const edge of edges)
      for (const host of HOSTS) for (const p of ['/a', '/b', '/c?x=1']) expect(await status(edge, p, host)).toMatch(/^MISS/);
    for (const p of ['/a', '/b', '/c?x=1']) origin.content.set(p, `${p} v2`);
    for (const edge of edges) for (const host of HOSTS) expect(await status(edge, '/a', host)).toBe('HIT 200 /a v1');

    const one = await purgeWith(
      cluster,
      parsePurgeTarget({ urls: [], everything: true, hostname: 'cdn.example.com', confirm: 'cdn.example.com' }, config.cdn.hostnames),
    );
    expect(one.ok).toBe(true);
    expect(one.regions.flatMap((r) => r.pods.map((p) => p.removed))).toEqual([3, 3, 3]);
    for (const edge of edges)
      for (const p of ['/a', '/b', '/c?x=1']) {
        expect(await status(edge, p, 'cdn.example.com')).toBe(`MISS 200 ${p} v2`);
        expect(await status(edge, p, 'static.example.com')).toBe(`HIT 200 ${p} v1`);
      }

    const all = await purgeWith(cluster, parsePurgeTarget({ urls: [], everything: true, confirm: 'everything' }, config.cdn.hostnames));
    expect(all.ok).toBe(true);
    for (const edge of edges)
      for (const host of HOSTS)
        for (const p of ['/a', '/b', '/c?x=1']) {
          expect(await status(edge, p, host)).toBe(`MISS 200 ${p} v2`);
          expect(await status(edge, p, host)).toBe(`HIT 200 ${p} v2`);
        }
  });

  it('purges everything from pods that keep serving new URLs during the purge', async () => {
    const { origin, config, edges, cluster } = await setup();
    const paths = Array.from({ length: 300 }, (_, i) => `/f${String(i)}`);
    for (const p of paths) origin.content.set(p, `${p} v1`);
    for (const edge of edges) for (const p of paths) expect(await status(edge, p)).toMatch(/^MISS 200/);
    for (const p of paths) origin.content.set(p, `${p} v2`);
    // Traffic while the purge runs: new URLs stored into every folder of every pod's cache, a
    // bounded number of requests (four streams per pod) that ends when the purge has ended.
    let purging = true;
    let stored = 0;
    const traffic = edges.flatMap((edge, e) =>
      Array.from({ length: 4 }, async (_, stream) => {
        for (let i = 0; purging && i < 5000; i++) {
          await get(edge.port, `/new-${String(e)}-${String(stream)}-${String(i)}`);
          stored++;
        }
      }),
    );
    const all = await purgeWith(cluster, parsePurgeTarget({ urls: [], everything: true, confirm: 'everything' }, config.cdn.hostnames));
    purging = false;
    await Promise.all(traffic);
    expect(stored, 'requests served while purging').toBeGreaterThan(0);
    expect(all.regions.map(regionLine)).toEqual([
      expect.stringMatching(/^✓ us-east-1: 2 of 2 pods confirmed, \d+ cache files removed$/),
      expect.stringMatching(/^✓ eu-west-1: 1 of 1 pods confirmed, \d+ cache files removed$/),
    ]);
    expect(all.ok).toBe(true);
    for (const edge of edges) for (const p of paths) expect(await status(edge, p)).toBe(`MISS 200 ${p} v2`);
  });

  it('keeps purge requests out of the access log the mtail sidecar counts as demand', async () => {
    const { origin, config, pods, cluster } = await setup();
    origin.content.set('/app.js', 'app v1');
    const edge = pods['us-east-1']?.['edge-a'] as Edge;
    expect(await status(edge, '/app.js')).toBe('MISS 200 app v1');
    const report = await purgeWith(
      cluster,
      parsePurgeTarget({ urls: ['https://cdn.example.com/app.js'], everything: false }, config.cdn.hostnames),
    );
    expect(report.ok).toBe(true);
    // Stopping nginx writes out the buffered log.
    running.splice(running.indexOf(edge), 1);
    await edge.stop();
    const lines = readFileSync(edge.layout.accessLog ?? '', 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { request: string }).request)).toEqual(['GET /app.js HTTP/1.1']);
  });

  it('refuses a purge sent to the public listener, changing nothing, and has no purge listener beyond loopback', async () => {
    const { origin, edges } = await setup();
    origin.content.set('/app.js', 'app v1');
    const edge = edges[0] as Edge;
    expect(await status(edge, '/app.js')).toMatch(/^MISS/);
    origin.content.set('/app.js', 'app v2');
    const file = cacheFile('cdn.example.com/app.js');
    const publicly = (method: string, p: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: edge.port, method, path: p, headers: { host: 'cdn.example.com' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    const hitsBefore = origin.hits.length;
    expect(await publicly('DELETE', `/_kubecdn/cache/${file}`)).toBe(403);
    expect(await publicly('GET', '/_kubecdn/cache/')).toBe(403);
    expect(origin.hits.length).toBe(hitsBefore); // not passed to the origin either
    expect(await status(edge, '/app.js')).toBe('HIT 200 app v1');

    // The purge port answers on loopback, and on no other address of this machine.
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a?.address ?? '');
    // Without another address there is nothing to try the purge port on: this test needs one.
    expect(others, 'a non-loopback IPv4 address on this machine').not.toEqual([]);
    for (const address of others) {
      const reached = await fetch(`http://${address}:${edge.layout.purgePort}/_kubecdn/cache/`).then(
        () => true,
        () => false,
      );
      expect(reached, address).toBe(false);
    }
    expect((await fetch(`http://127.0.0.1:${edge.layout.purgePort}/_kubecdn/cache/`)).status).toBe(200);
  });

  it('with one pod unreachable, reports its region incomplete and exits non-zero', async () => {
    const { origin, pods, edges } = await setup();
    origin.content.set('/app.js', 'app v1');
    for (const edge of edges) await status(edge, '/app.js');
    origin.content.set('/app.js', 'app v2');
    await pods['us-east-1']?.['edge-b']?.stop();
    running.splice(running.indexOf(pods['us-east-1']?.['edge-b'] as Edge), 1);

    const dir = regionDir({ ...VALID, cdn: cdnYaml(origin.url) });
    const out: string[] = [];
    const err: string[] = [];
    const io = { cwd: dir, out: (t: string) => out.push(t), err: (t: string) => err.push(t), outStyle: plain, errStyle: plain };
    const summary = path.join(dir, 'summary.md');
    const code = await purge(
      io,
      ['https://cdn.example.com/app.js'],
      { dir, everything: false, reason: 'bad deploy', kubeContextPrefix: 'kubecdn-', checkOnly: false, summary },
      harnessCluster(pods),
    );
    expect(code).toBe(1);
    expect(out).toContainEqual(
      expect.stringMatching(/^✗ us-east-1: 1 of 2 pods confirmed, 1 cache file removed \(INCOMPLETE: edge-b: .*fetch failed/),
    );
    expect(out).toContain('✓ eu-west-1: 1 of 1 pods confirmed, 1 cache file removed');
    expect(err).toEqual(['kubecdn purge: INCOMPLETE in us-east-1: not every running pod confirmed; run it again']);
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('## Purge of https://cdn.example.com/app.js: INCOMPLETE');
    expect(md).toContain('| why | bad deploy |');
    expect(md).toMatch(/\| us-east-1 \| 2 \| 1 \| ❌ edge-b: /);
    expect(md).toContain('| eu-west-1 | 1 | 1 | ✅ |');
    // The pods that confirmed serve the new copy.
    expect(await status(pods['us-east-1']?.['edge-a'] as Edge, '/app.js')).toBe('MISS 200 app v2');
  });
});

describe('a purge that cannot finish still ends, with its record', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });

  /** A purge listener that answers the head of a response and then nothing: a stalled stream. */
  async function stalling(): Promise<number> {
    const server = createServer((_req, res) => {
      res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-length': '4096' });
      res.write('partial');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  const io = (dir: string) => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: { cwd: dir, out: (t: string) => out.push(t), err: (t: string) => err.push(t), outStyle: plain, errStyle: plain },
    };
  };

  it('gives up a stalled request, and a pod that never confirms, and writes the summary', async () => {
    const stalled = await stalling();
    const cluster: Cluster = {
      runningPods: (region) => Promise.resolve(region === 'us-east-1' ? ['edge-a', 'edge-b'].map((name) => ({ name, uid: name })) : []),
      open: (_region, pod) =>
        pod === 'edge-a'
          ? Promise.resolve({ ...podCacheAt(stalled, { requestTimeoutMs: 300 }), close: () => Promise.resolve() })
          : new Promise(() => undefined), // a port-forward that never comes up, and never fails
    };
    const dir = regionDir(VALID);
    const summary = path.join(dir, 'summary.md');
    const { out, io: ioOf } = io(dir);
    const code = await purge(
      ioOf,
      ['https://cdn.example.com/app.js'],
      {
        dir,
        everything: false,
        reason: 'bad deploy',
        region: ['us-east-1'],
        kubeContextPrefix: 'kubecdn-',
        checkOnly: false,
        summary,
        podDeadlineMs: 1000,
      },
      cluster,
    );
    expect(code).toBe(1);
    const file = cacheFile('cdn.example.com/app.js');
    expect(out[1]).toBe(
      `✗ us-east-1: 0 of 2 pods confirmed (INCOMPLETE: edge-a: reading ${file}: no answer within 0.3 s; edge-b: no confirmation within 1 s)`,
    );
    expect(readFileSync(summary, 'utf8')).toMatch(/^## Purge of https:\/\/cdn\.example\.com\/app\.js: INCOMPLETE\n/);
  });

  it('writes the summary when the purge is refused', async () => {
    const dir = regionDir(VALID);
    const summary = path.join(dir, 'summary.md');
    const { io: ioOf } = io(dir);
    await expect(
      purge(ioOf, ['https://elsewhere.example.org/a'], {
        dir,
        everything: false,
        reason: 'x',
        kubeContextPrefix: 'kubecdn-',
        checkOnly: false,
        summary,
      }),
    ).rejects.toThrow(/is not a hostname of this CDN/);
    expect(readFileSync(summary, 'utf8')).toBe(
      '## Purge: not run\n\nhttps://elsewhere.example.org/a: elsewhere.example.org is not a hostname of this CDN (cdn.yaml hostnames: cdn.example.com). Nothing was purged.\n\nNothing was purged.\n',
    );
  });

  it('writes the summary when the job is stopped (SIGTERM) while a cluster does not answer', async () => {
    // kubectl (real) against an API server that accepts and never answers.
    const api = createServer(() => undefined);
    servers.push(api);
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const dir = regionDir(VALID);
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${String((api.address() as AddressInfo).port)}"}}]\n` +
        'users: [{name: u, user: {token: t}}]\ncontexts: [{name: kubecdn-eu-west-1, context: {cluster: c, user: u}}]\n',
    );
    const summary = path.join(dir, 'summary.md');
    const args = [
      'purge',
      'https://cdn.example.com/app.js',
      '--reason',
      'bad deploy',
      '--region',
      'eu-west-1',
      '--summary',
      summary,
      '--dir',
      dir,
    ];
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: dir,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], KUBECONFIG: kubeconfig },
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const started = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('purging')) resolve();
      }),
    );
    await Promise.race([started, closed]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGTERM');
    const code = await closed;
    expect([code, stderr.trim()]).toEqual([1, 'kubecdn purge: stopped (SIGTERM) before every pod confirmed; run it again']);
    expect(readFileSync(summary, 'utf8')).toBe(
      '## Purge of https://cdn.example.com/app.js: STOPPED\n\nThe purge was stopped (SIGTERM) before every pod confirmed.\n\n' +
        '**Not every pod confirmed.** Pods may still serve the old copy. Run the purge again: it is safe to repeat.\n',
    );
  });
});

describe('kubecdn purge, run as a user runs it', () => {
  it('refuses bad input with exit 2, touching nothing; --check-only says what would go', () => {
    const everything = kubecdn(['purge', '--everything', '--reason', 'bad deploy']);
    expect([everything.code, everything.stderr.trim()]).toEqual([
      2,
      'kubecdn: purging everything needs --confirm everything: typed "". Nothing was purged.',
    ]);
    const noReason = kubecdn(['purge', 'https://cdn.example.com/app.js', '--reason', ' ']);
    expect([noReason.code, noReason.stderr.trim()]).toEqual([
      2,
      'kubecdn: --reason is required: it goes in the record of the purge. Nothing was purged.',
    ]);
    const check = kubecdn(['purge', 'https://cdn.example.com/app.js', '--reason', 'bad deploy', '--check-only']);
    expect([check.code, check.stdout.trim()]).toEqual([
      0,
      'would purge https://cdn.example.com/app.js in us-east-1, us-west-2, eu-west-1, ap-southeast-1',
    ]);
  });

  it('with no access to the clusters (real kubectl, no kubeconfig), reports every region incomplete and exits 1', () => {
    const ran = kubecdn(['purge', 'https://cdn.example.com/app.js', '--reason', 'bad deploy', '--region', 'eu-west-1'], {
      env: { KUBECONFIG: path.join(mkdtempSync(path.join(tmpdir(), 'kubecdn-kube-')), 'none') },
    });
    expect(ran.code).toBe(1);
    expect(ran.stdout.trim().split('\n')).toEqual([
      'purging https://cdn.example.com/app.js in eu-west-1',
      '✗ eu-west-1: 0 of 0 pods confirmed (INCOMPLETE: could not list its edge pods: kubectl get pods: error: context "kubecdn-eu-west-1" does not exist)',
    ]);
    expect(ran.stderr.trim()).toBe('kubecdn purge: INCOMPLETE in eu-west-1: not every running pod confirmed; run it again');
  });
});
