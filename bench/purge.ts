// Purge on real nginx, on loopback: the time to purge 100 URLs from 3 edge processes (two pods of
// one region and one of another), everything of one hostname from 1,000 files per pod, 100 URLs
// whose answers vary (Vary: Accept-Encoding, a walk of the whole cache), and the
// cache-HIT rate of the edge with the purge listener against the same edge without it (the
// configuration as it was before purge), as a ratio. The rounds' spread is printed beside each
// rate: on a busy machine it is wider than any difference the purge listener could make.
//   npx tsx bench/purge.ts [--seconds 3] [--rounds 4] [--connections 64]     (needs nginx and wrk)
import { wrkRate } from './timing.js';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../src/core/config.js';
import { parsePurgeTarget, runPurge, type Cluster } from '../src/core/purge.js';
import { podCacheAt } from '../src/node/purge.js';
import { readRegionDir } from '../src/node/region-dir.js';
import { get, startEdge, startOrigin, type Edge } from '../test/edge.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg('seconds', 3);
const rounds = arg('rounds', 4);
const connections = arg('connections', 64);
const body = 'x'.repeat(16 * 1024);

const wrk = (url: string) => wrkRate(url, { connections, seconds });

/** The configuration without what purge added: the refused path and the loopback listener. */
function withoutPurge(conf: string): string {
  const stripped = conf
    .replace(/\n\n {4}# Purging is on the loopback listener only;[^\n]*\n {4}location \^~ \/_kubecdn\/ \{\n {6}return 403;\n {4}\}\n/, '\n')
    .replace(/\n {2}server \{\n {4}listen 127\.0\.0\.1:\d+;[\s\S]*?\n {2}\}\n/, '');
  if (stripped.includes('_kubecdn') || stripped.includes('listen 127.0.0.1'))
    throw new Error('could not take purge out of the configuration');
  return stripped;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const root = path.resolve(import.meta.dirname, '..');
const origin = await startOrigin({ body, maxAge: 3600 });
const base = loadConfig(await readRegionDir(path.join(root, 'regions'), root), {});
if (!base.config) throw new Error('the region files are invalid');
const config = { ...base.config, cdn: { ...base.config.cdn, origin: { url: origin.url } } };
const [east, west] = config.regions;
if (!east || !west) throw new Error('two regions needed');
const edges: Edge[] = [];

try {
  // 1. Purge 100 URLs from three edges, each holding all of them.
  const pods: Record<string, Record<string, Edge>> = {
    [east.region]: { a: await startEdge(config, east), b: await startEdge(config, east) },
    [west.region]: { c: await startEdge(config, west) },
  };
  edges.push(...Object.values(pods).flatMap((p) => Object.values(p)));
  const cluster: Cluster = {
    runningPods: (region) => Promise.resolve(Object.keys(pods[region] ?? {}).map((name) => ({ name, uid: name }))),
    open: (region, pod) => {
      const edge = pods[region]?.[pod];
      return edge
        ? Promise.resolve({ ...podCacheAt(edge.layout.purgePort), close: () => Promise.resolve() })
        : Promise.reject(new Error(pod));
    },
  };
  const paths = Array.from({ length: 100 }, (_, i) => `/asset-${String(i)}.js`);
  const target = parsePurgeTarget({ urls: paths.map((p) => `https://cdn.example.com${p}`), everything: false }, config.cdn.hostnames);
  const purgeMs: number[] = [];
  const warmMs: number[] = [];
  for (let round = 0; round < Math.max(rounds, 3); round++) {
    for (const edge of edges) await Promise.all(paths.map((p) => get(edge.port, p)));
    const hitStart = performance.now();
    for (const edge of edges) await Promise.all(paths.map((p) => get(edge.port, p)));
    warmMs.push(performance.now() - hitStart);
    const start = performance.now();
    const report = await runPurge({ target, regions: [east.region, west.region], reason: 'bench', actor: 'bench', cluster });
    purgeMs.push(performance.now() - start);
    const removed = report.regions.flatMap((r) => r.pods.map((p) => p.removed ?? 0)).reduce((a, b) => a + b, 0);
    if (!report.ok || removed !== 300) throw new Error(`the purge removed ${String(removed)} files of 300`);
  }

  // 2. Everything of one hostname, which reads the key of every cached file: 1,000 files per pod,
  //    half of them the purged hostname's.
  const many = Array.from({ length: 500 }, (_, i) => `/file-${String(i)}`);
  for (const edge of edges)
    for (const host of ['cdn.example.com', 'static.example.com']) await Promise.all(many.map((p) => get(edge.port, p, host)));
  const hostTarget = parsePurgeTarget(
    { urls: [], everything: true, hostname: 'static.example.com', confirm: 'static.example.com' },
    config.cdn.hostnames,
  );
  const hostStart = performance.now();
  const hostReport = await runPurge({ target: hostTarget, regions: [east.region, west.region], reason: 'bench', actor: 'bench', cluster });
  const hostMs = performance.now() - hostStart;
  const hostRemoved = hostReport.regions.flatMap((r) => r.pods.map((p) => p.removed ?? 0)).reduce((a, b) => a + b, 0);
  if (!hostReport.ok || hostRemoved !== 1500) throw new Error(`the purge of a hostname removed ${String(hostRemoved)} files of 1500`);

  // 3. 100 URLs whose answers vary (Vary: Accept-Encoding, as compressing origins send), each
  //    stored in two variants, among the 1,000 files per pod above: a purge then reads the key of
  //    every file in the cache, one walk for all the URLs.
  const varyOrigin = await startOrigin({ body, maxAge: 3600, headers: { vary: 'Accept-Encoding' } });
  const varyConfig = { ...config, cdn: { ...config.cdn, origin: { url: varyOrigin.url } } };
  const varyPods: Record<string, Record<string, Edge>> = {
    [east.region]: { a: await startEdge(varyConfig, east), b: await startEdge(varyConfig, east) },
    [west.region]: { c: await startEdge(varyConfig, west) },
  };
  const varyEdges = Object.values(varyPods).flatMap((p) => Object.values(p));
  edges.push(...varyEdges);
  const varyCluster: Cluster = {
    runningPods: (region) => Promise.resolve(Object.keys(varyPods[region] ?? {}).map((name) => ({ name, uid: name }))),
    open: (region, pod) => {
      const edge = varyPods[region]?.[pod];
      return edge
        ? Promise.resolve({ ...podCacheAt(edge.layout.purgePort), close: () => Promise.resolve() })
        : Promise.reject(new Error(pod));
    },
  };
  for (const edge of varyEdges) {
    await Promise.all(many.map((p) => get(edge.port, p)));
    for (const encoding of ['gzip', 'identity'])
      await Promise.all(paths.map((p) => get(edge.port, p, 'cdn.example.com', { 'accept-encoding': encoding })));
  }
  const varyStart = performance.now();
  const varyReport = await runPurge({ target, regions: [east.region, west.region], reason: 'bench', actor: 'bench', cluster: varyCluster });
  const varyMs = performance.now() - varyStart;
  const varyRemoved = varyReport.regions.flatMap((r) => r.pods.map((p) => p.removed ?? 0)).reduce((a, b) => a + b, 0);
  if (!varyReport.ok || varyRemoved !== 600) throw new Error(`the purge of varying URLs removed ${String(varyRemoved)} files of 600`);
  await varyOrigin.close();

  // 4. The hit path, with and without the purge listener, alternating to share the machine's noise.
  const withPurge = await startEdge(config, east);
  const today = await startEdge(config, east, undefined, { edit: withoutPurge });
  edges.push(withPurge, today);
  for (const edge of [withPurge, today]) {
    await get(edge.port, '/object');
    if ((await get(edge.port, '/object')).headers['x-cache-status'] !== 'HIT') throw new Error('the object is not cached');
  }
  const hits = { purge: [] as number[], today: [] as number[] };
  // Each round swaps which goes first, so neither always runs on a warmer or busier machine.
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['purge', 'today'] as const) : (['today', 'purge'] as const);
    for (const which of order)
      hits[which].push(await wrk(`http://127.0.0.1:${String((which === 'purge' ? withPurge : today).port)}/object`));
  }

  const cores = String(spawnSync('nproc').stdout).trim();
  console.log(`purge: 3 edge processes (nginx) on loopback, ${cores} cores, median of ${String(purgeMs.length)} rounds`);
  console.log(
    `  purge 100 URLs from 3 pods      ${median(purgeMs).toFixed(0).padStart(8)} ms   purge/one-minute budget ${(median(purgeMs) / 60_000).toFixed(4)}`,
  );
  console.log(
    `  fetch the same 300 as HITs      ${median(warmMs).toFixed(0).padStart(8)} ms   purge/fetch ${(median(purgeMs) / median(warmMs)).toFixed(2)}`,
  );
  console.log(
    `  everything of a hostname, 3 pods of 1,000 files ${hostMs.toFixed(0).padStart(6)} ms   purge/one-minute budget ${(hostMs / 60_000).toFixed(4)}`,
  );
  console.log(
    `  100 URLs that vary, 2 variants each, among 1,000 files per pod ${varyMs.toFixed(0).padStart(6)} ms   vary/plain ${(varyMs / median(purgeMs)).toFixed(2)}`,
  );
  console.log('  (on loopback: kubectl port-forward adds its own round trips to the cluster, not measured here)');
  console.log(
    `hit path: wrk -t2 -c${String(connections)} -d${String(seconds)}s, a 16 KiB object, median of ${String(rounds)} alternating rounds`,
  );
  const range = (xs: number[]) => `(rounds ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  console.log(`  with the purge listener         ${median(hits.purge).toFixed(0).padStart(8)} req/s   ${range(hits.purge)}`);
  console.log(`  without (before purge)          ${median(hits.today).toFixed(0).padStart(8)} req/s   ${range(hits.today)}`);
  console.log(`  with/without                    ${(median(hits.purge) / median(hits.today)).toFixed(2).padStart(8)}`);
} finally {
  for (const edge of edges) await edge.stop();
  await origin.close();
}
