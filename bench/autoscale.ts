// Autoscaling's two costs. First, a decision over every region of the region files from a real
// Prometheus holding a day of history (promtool-written blocks): time per run of kubecdn
// autoscale's work (query, git history of enabled, latency model, cost, decisions), with and
// without the latency model, each as a ratio to its two Prometheus queries alone, run in turn.
// The decision is taken ten minutes after the checked-out commit (or at --at, Unix seconds), so
// that the cooldown reads the branch's own latest history, as a run on a busy branch does.
// Second, what counting costs the edge: wrk on a cached object against the edge as it was
// (access log unbuffered, no geo map), and with the geo map, the buffered log, mtail and the
// access-log container's tail reading it; both as ratios to nginx serving the same object from disk.
//   npx tsx bench/autoscale.ts [--runs 5] [--seconds 5] [--connections 64] [--at 1795622700]   (needs prometheus, promtool, mtail, nginx, wrk)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { median, wrkRate } from './timing.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { longestWindowMinutes } from '../src/core/autoscale.js';
import { loadConfig } from '../src/core/config.js';
import { runAutoscale, settingsOf, STEP_SECONDS } from '../src/node/autoscale.js';
import { cities } from '../src/node/cities.js';
import { demandQuery, Prometheus, reportingQuery } from '../src/node/prometheus.js';
import { readRegionDir } from '../src/node/region-dir.js';
import { get, harnessLayout, startEdge, startOrigin } from '../test/edge.js';
import { createBlocks, openMetrics, startPrometheus } from '../test/prometheus.js';
import { freePort } from '../test/servers.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('runs', 5);
const seconds = arg('seconds', 5);
const connections = arg('connections', 64);
const root = path.resolve(import.meta.dirname, '..');
const loaded = loadConfig(await readRegionDir(path.join(root, 'regions'), root), {});
if (!loaded.config) throw new Error('the region files are invalid');
const regions = loaded.config.regions.map((r) => r.region);

// ---- the decision ----------------------------------------------------------------------------
const head = Number(String(spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: root }).stdout).trim());
const at = arg('at', Math.floor(head / 60) * 60 + 600);
const cooldownCommits = String(
  spawnSync(
    'git',
    ['log', '--first-parent', '--oneline', `--since=@${at - settingsOf(loaded.config, {}).cooldownSeconds}`, `--until=@${at}`, 'HEAD'],
    { cwd: root },
  ).stdout,
)
  .split('\n')
  .filter(Boolean).length;
// Every serving region's edges report (autoscale counts a minute only when all of them did).
const edges = loaded.config.regions.filter((r) => r.serving).map((r) => r.region);
const series = regions.flatMap((near, k) =>
  edges.map((edge) => ({
    labels: { near, region: edge, job: 'edge' },
    // A daily wave per region, out of phase with the others.
    rate: (t: number) => 400 * (1 + k) * (1.2 + Math.sin(2 * Math.PI * (t / 86400) + k)),
  })),
);
const built = performance.now();
const data = createBlocks(openMetrics(series, at - 86400, at, 15));
const blocksMs = performance.now() - built;
const prometheus = await startPrometheus({ data });
const places = cities();
const options = { prometheus: prometheus.url, dir: 'regions', at: new Date(at * 1000).toISOString() };
const minutes = Math.max(1, longestWindowMinutes(loaded.config));
const timed = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};
const kinds = {
  // The baseline: what every decision must ask Prometheus, and nothing else.
  queries: () => {
    const client = new Prometheus(prometheus.url);
    return Promise.all([client.query(demandQuery(minutes, STEP_SECONDS), at), client.query(reportingQuery(minutes, STEP_SECONDS), at)]);
  },
  bare: () => runAutoscale(root, options),
  full: () => runAutoscale(root, { ...options, places }),
};
const times = { queries: [] as number[], bare: [] as number[], full: [] as number[] };
try {
  // One warm-up round, then the three in turn, so that a neighbour's load falls on all of them.
  for (let i = 0; i < runs + 1; i++) {
    for (const kind of ['queries', 'bare', 'full'] as const) {
      const t = await timed(kinds[kind]);
      if (i > 0) times[kind].push(t);
    }
  }
} finally {
  await prometheus.stop();
}
const base = median(times.queries);
const line = (label: string, xs: number[]) =>
  `  ${label.padEnd(40)} ${median(xs).toFixed(0).padStart(6)} ms   ${(median(xs) / base).toFixed(1).padStart(6)} × the queries`;
console.log(
  `autoscale: ${regions.length} regions, a day of history (${series.length} series, a sample each 15 s; blocks written in ${blocksMs.toFixed(0)} ms), ${cooldownCommits} commits in the cooldown, ${places.length} cities; median of ${runs}`,
);
console.log(`  ${'the two Prometheus queries (baseline)'.padEnd(40)} ${base.toFixed(0).padStart(6)} ms`);
console.log(line('decision without the latency model', times.bare));
console.log(line('decision as kubecdn autoscale makes it', times.full));

// ---- the edge ----------------------------------------------------------------------------------
const body = 'x'.repeat(16 * 1024);
const wrk = (url: string) => wrkRate(url, { connections, seconds });

const origin = await startOrigin({ body, maxAge: 3600 });
const config = { ...loaded.config, cdn: { ...loaded.config.cdn, origin: { url: origin.url } } };
const first = config.regions[0];
if (!first) throw new Error('no region');
const region = first;

/** The bound: the same object served by nginx from a file, as bench/edge.ts measures it. */
async function measureDisk(): Promise<number> {
  const disk = await harnessLayout();
  mkdirSync(path.join(disk.tempDir, 'www'));
  writeFileSync(path.join(disk.tempDir, 'www/object'), body);
  writeFileSync(
    path.join(disk.tempDir, 'static.conf'),
    `worker_processes auto;\npid ${disk.tempDir}/nginx.pid;\nerror_log ${disk.tempDir}/error.log warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  server {\n    listen ${disk.listenPort} reuseport;\n    root ${disk.tempDir}/www;\n  }\n}\n`,
  );
  const nginx = spawn('nginx', ['-c', path.join(disk.tempDir, 'static.conf'), '-p', disk.tempDir, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', openSync(path.join(disk.tempDir, 'stderr.log'), 'a')],
  });
  try {
    await sleep(300);
    return await wrk(`http://127.0.0.1:${disk.listenPort}/object`);
  } finally {
    nginx.kill('SIGTERM');
  }
}

async function measure(kind: 'before' | 'counting'): Promise<number> {
  const layout = await harnessLayout();
  // Before: today's edge, one write per request to its log and no map.
  const edge =
    kind === 'before'
      ? await startEdge(
          config,
          region,
          { listenPort: layout.listenPort, cacheDir: layout.cacheDir, tempDir: layout.tempDir, purgePort: layout.purgePort },
          { edit: (c) => c.replace(' buffer=64k flush=1s', '') },
        )
      : await startEdge(config, region, layout);
  const mtail =
    kind === 'counting'
      ? spawn(
          'mtail',
          [
            '-progs',
            path.join(root, 'manifests/base/mtail'),
            '-logs',
            layout.accessLog ?? '',
            '-address',
            '127.0.0.1',
            '-port',
            String(await freePort()),
          ],
          { stdio: ['ignore', 'ignore', openSync(path.join(layout.tempDir, 'mtail.log'), 'a')] },
        )
      : undefined;
  // The access-log container's reader: `tail -F` of the same file, to a sink.
  const tail = kind === 'counting' ? spawn('tail', ['-F', '-n', '0', layout.accessLog ?? ''], { stdio: 'ignore' }) : undefined;
  try {
    await sleep(500);
    await get(edge.port, '/object');
    const hit = await get(edge.port, '/object');
    if (hit.headers['x-cache-status'] !== 'HIT') throw new Error('the object is not cached');
    return await wrk(`http://127.0.0.1:${edge.port}/object`);
  } finally {
    mtail?.kill('SIGTERM');
    tail?.kill('SIGTERM');
    await edge.stop();
  }
}

try {
  // Alternated, twice each, so that a neighbour's load on the shared cores falls on both.
  const disk = [await measureDisk()];
  const before = [await measure('before')];
  const counting = [await measure('counting')];
  disk.push(await measureDisk());
  before.push(await measure('before'));
  counting.push(await measure('counting'));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `edge: wrk -t2 -c${connections} -d${seconds}s on loopback, a 16 KiB cache HIT, ${String(spawnSync('nproc').stdout).trim()} cores, twice each`,
  );
  console.log(`  nginx from disk (bound)             ${mean(disk).toFixed(0).padStart(8)} req/s`);
  console.log(
    `  before (log unbuffered, no map)     ${mean(before).toFixed(0).padStart(8)} req/s   before/bound ${(mean(before) / mean(disk)).toFixed(3)}`,
  );
  console.log(
    `  counting (map, log, mtail, tail)    ${mean(counting).toFixed(0).padStart(8)} req/s   counting/bound ${(mean(counting) / mean(disk)).toFixed(3)}   counting/before ${(mean(counting) / mean(before)).toFixed(3)}`,
  );
} finally {
  await origin.close();
}
