// Demand counted end to end with real peers: Debian's nginx running the edge's nginx.conf with the
// committed geo map (manifests/base/near.conf), Debian's mtail running the sidecar's program over
// the edge's buffered access log, and Debian's prometheus scraping mtail. Only in this test, nginx
// takes the client address from a header (real_ip from 127.0.0.1), so that one machine can send
// as clients all over the world; in the cluster the load balancer passes the real address.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/core/config.js';
import { renderNginxConf } from '../src/core/edge/nginx.js';
import { readRegionDir } from '../src/node/region-dir.js';
import { harnessLayout, startEdge, startOrigin, type Edge, type Origin } from './edge.js';
import { startPrometheus, type RunningPrometheus } from './prometheus.js';
import { kubecdn, ROOT } from './run.js';
import { freePort } from './servers.js';

const MAP = path.join(ROOT, 'manifests/base/near.conf');
const PROGS = path.join(ROOT, 'manifests/base/mtail');
const HEADER = 'X-Test-Client-Address';
const realIp = (conf: string) => conf.replace('http {\n', `http {\n  set_real_ip_from 127.0.0.1;\n  real_ip_header ${HEADER};\n`);

/** Addresses whose country is known, and the region nearest most of that country's people. */
const KNOWN: Record<string, string> = {
  '81.2.69.160': 'eu-west-1', // United Kingdom
  '49.44.0.1': 'ap-south-1', // India
  '200.160.0.1': 'sa-east-1', // Brazil
  '1.0.0.1': 'ap-southeast-1', // Australia
  '8.8.8.8': 'us-east-1', // United States
  '2a01:4f8::1': 'eu-west-1', // Germany
  '2401:4900::1': 'ap-south-1', // India
  '2001:12ff::1': 'sa-east-1', // Brazil
  '127.0.0.1': 'unknown',
  '10.1.2.3': 'unknown',
  'fd00::1': 'unknown',
};

let config: Config;
let origin: Origin;
let edge: Edge;
let mtail: ChildProcess | undefined;
let prometheus: RunningPrometheus | undefined;

function send(port: number, client: string, pathname = '/object'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: pathname, headers: { host: 'cdn.example.com', [HEADER]: client }, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const logLines = () =>
  readFileSync(edge.layout.accessLog ?? '', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { near: string; region: string; request: string });

async function instant(query: string, time: number): Promise<Record<string, number>> {
  const url = `${prometheus?.url ?? ''}/api/v1/query?${new URLSearchParams({ query, time: String(time) }).toString()}`;
  const body = (await (await fetch(url)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  return Object.fromEntries(body.data.result.map((r) => [r.metric['near'] ?? '', Number(r.value[1])]));
}

beforeAll(async () => {
  const loaded = loadConfig(await readRegionDir(path.join(ROOT, 'regions'), ROOT), {});
  if (!loaded.config) throw new Error('the region files are invalid');
  origin = await startOrigin({ maxAge: 3600 });
  config = { ...loaded.config, cdn: { ...loaded.config.cdn, origin: { url: origin.url } } };
  const region = config.regions[0];
  if (!region) throw new Error('no region');
  const layout = await harnessLayout();
  edge = await startEdge(config, region, { ...layout, accessLog: path.join(layout.tempDir, 'access.log'), nearMap: MAP }, { edit: realIp });
}, 60_000);

afterAll(async () => {
  mtail?.kill('SIGTERM');
  await prometheus?.stop();
  await edge.stop();
  await origin.close();
});

describe('the geo map', () => {
  it('is the map for the region files, and nginx -t accepts it in the edge configuration', async () => {
    const check = kubecdn(['geo', '--check']);
    expect(check.stderr).toMatch(/IPv4: \d+ rows \(\d+ overlapping\), \d+ lines, blocks up to \/\d+/);
    expect(check.code).toBe(0);
    expect(readFileSync(MAP).length).toBeLessThan(1024 * 1024 - 16 * 1024);
    const layout = await harnessLayout();
    const region = config.regions[0];
    if (!region) throw new Error('no region');
    const file = path.join(layout.tempDir, 'nginx.conf');
    writeFileSync(file, renderNginxConf(config, region, { ...layout, accessLog: path.join(layout.tempDir, 'access.log'), nearMap: MAP }));
    // nginx opens /dev/stderr itself, which it cannot on a pipe: its messages go to a file.
    const log = path.join(layout.tempDir, 'test.log');
    spawnSync('nginx', ['-t', '-c', file, '-p', layout.tempDir, '-e', log], { stdio: ['ignore', 'ignore', openSync(log, 'a')] });
    const said = readFileSync(log, 'utf8');
    expect(said).toContain('test is successful');
    expect(said).not.toMatch(/duplicate|warn/);
  }, 120_000);

  it('labels known IPv4 and IPv6 client addresses with their nearest region, as nginx reads the map', async () => {
    const clients = Object.keys(KNOWN);
    for (const [i, client] of clients.entries()) expect(await send(edge.port, client, `/object?known=${i}`)).toBe(200);
    // The log is buffered for up to a second, per worker: lines are matched by request, not order.
    await sleep(1500);
    const seen = new Map(logLines().map((l) => [l.request, l.near]));
    expect(Object.fromEntries(clients.map((c, i) => [c, seen.get(`GET /object?known=${i} HTTP/1.1`)]))).toEqual(KNOWN);
  });
});

describe('counting, end to end', () => {
  it('gives per-region rates in Prometheus in the proportions sent', async () => {
    const mtailPort = await freePort();
    mtail = spawn(
      'mtail',
      [
        '-progs',
        PROGS,
        '-logs',
        edge.layout.accessLog ?? '',
        '-address',
        '127.0.0.1',
        '-port',
        String(mtailPort),
        '-emit_prog_label=false',
        '-logtostderr',
      ],
      { stdio: ['ignore', 'ignore', openSync(path.join(edge.layout.tempDir, 'mtail.log'), 'a')] },
    );
    for (let i = 0; ; i++) {
      if (
        await fetch(`http://127.0.0.1:${mtailPort}/metrics`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 100) throw new Error(`mtail did not start: ${readFileSync(path.join(edge.layout.tempDir, 'mtail.log'), 'utf8')}`);
      await sleep(100);
    }
    prometheus = await startPrometheus({
      config: `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: edge\n    static_configs: [{ targets: ["127.0.0.1:${mtailPort}"] }]\n`,
    });

    // Each tick: 3 clients near eu-west-1, 2 near ap-south-1, 1 near sa-east-1, from several addresses.
    const tick: [string, string][] = [
      ['81.2.69.160', 'eu-west-1'],
      ['2a01:4f8::1', 'eu-west-1'],
      ['81.2.69.161', 'eu-west-1'],
      ['49.44.0.1', 'ap-south-1'],
      ['2401:4900::1', 'ap-south-1'],
      ['200.160.0.1', 'sa-east-1'],
    ];
    const sent: Record<string, number> = {};
    const started = Date.now();
    let n = 0;
    while (Date.now() - started < 12_000) {
      await Promise.all(tick.map(([c]) => send(edge.port, c, `/object?${n++ % 5}`)));
      for (const [, near] of tick) sent[near] = (sent[near] ?? 0) + 1;
      await sleep(50);
    }
    const end = Math.floor(Date.now() / 1000);
    // The last lines are flushed within a second, and scraped within another.
    await sleep(3500);

    const rates = await instant('sum by (near) (rate(kubecdn_requests_total[6s]))', end);
    const eu = rates['eu-west-1'] ?? 0;
    expect(eu).toBeGreaterThan(10);
    expect((rates['ap-south-1'] ?? 0) / eu).toBeCloseTo(2 / 3, 1);
    expect((rates['sa-east-1'] ?? 0) / eu).toBeCloseTo(1 / 3, 1);
    // Every request since mtail started (it reads from the end of the log) is counted once.
    const totals = await instant('sum by (near) (kubecdn_requests_total{region="us-east-1"})', end + 3);
    expect(totals['eu-west-1']).toBe(sent['eu-west-1'] ?? 0);
    expect(totals['ap-south-1']).toBe(sent['ap-south-1'] ?? 0);
    expect(totals['sa-east-1']).toBe(sent['sa-east-1'] ?? 0);
  }, 90_000);
});
