// The edge under load, on loopback: wrk against the edge serving a cached object, against nginx
// serving the same object straight from disk (the local upper bound), and against the origin.
//   npx tsx bench/edge.ts [--seconds 5] [--connections 64]     (needs nginx and wrk)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { wrkRate } from './timing.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/core/config.js';
import { readRegionDir } from '../src/node/region-dir.js';
import { get, harnessLayout, startEdge, startOrigin } from '../test/edge.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
// Both tools first: a missing one found after nginx started would leave its processes running.
for (const tool of ['wrk', 'nginx']) {
  if (spawnSync(tool, ['-v']).error) {
    console.error(`bench/edge.ts needs ${tool} on the PATH: apt-get install ${tool}`);
    process.exit(2);
  }
}
const seconds = arg('seconds', 5);
const connections = arg('connections', 64);
const body = 'x'.repeat(16 * 1024);

const wrk = (url: string) => wrkRate(url, { connections, seconds });

const root = path.resolve(import.meta.dirname, '..');
const origin = await startOrigin({ body, maxAge: 3600 });
const base = loadConfig(await readRegionDir(path.join(root, 'regions'), root), {});
if (!base.config) throw new Error('the region files are invalid');
const config = { ...base.config, cdn: { ...base.config.cdn, origin: { url: origin.url } } };
const region = config.regions[0];
if (!region) throw new Error('no region');
const edge = await startEdge(config, region);

// The upper bound: the same object served by nginx from a file, with the same worker settings.
const disk = await harnessLayout();
mkdirSync(path.join(disk.tempDir, 'www'));
writeFileSync(path.join(disk.tempDir, 'www/object'), body);
writeFileSync(
  path.join(disk.tempDir, 'static.conf'),
  `worker_processes auto;\npid ${disk.tempDir}/nginx.pid;\nerror_log ${disk.tempDir}/error.log warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  server {\n    listen ${disk.listenPort} reuseport;\n    root ${disk.tempDir}/www;\n  }\n}\n`,
);
const staticNginx = spawn('nginx', ['-c', path.join(disk.tempDir, 'static.conf'), '-p', disk.tempDir, '-g', 'daemon off;'], {
  stdio: ['ignore', 'ignore', openSync(path.join(disk.tempDir, 'stderr.log'), 'a')],
});
await sleep(300);

try {
  const warm = await get(edge.port, '/object');
  const hit = await get(edge.port, '/object');
  if (hit.headers['x-cache-status'] !== 'HIT')
    throw new Error(`the object is not cached: ${String(warm.headers['x-cache-status'])}, ${String(hit.headers['x-cache-status'])}`);
  // The edge logs every request, as in production; the upper bound logs none.
  const results = {
    edge: await wrk(`http://127.0.0.1:${edge.port}/object`),
    disk: await wrk(`http://127.0.0.1:${disk.listenPort}/object`),
    origin: await wrk(`${origin.url}/object`),
  };
  console.log(
    `edge: wrk -t2 -c${connections} -d${seconds}s on loopback, a 16 KiB object, ${String(spawnSync('nproc').stdout).trim()} cores`,
  );
  console.log(`  edge, cache HIT           ${results.edge.toFixed(0).padStart(8)} req/s`);
  console.log(
    `  nginx from disk (bound)   ${results.disk.toFixed(0).padStart(8)} req/s   edge/bound  ${(results.edge / results.disk).toFixed(2)}`,
  );
  console.log(
    `  origin directly           ${results.origin.toFixed(0).padStart(8)} req/s   edge/origin ${(results.edge / results.origin).toFixed(2)}`,
  );
} finally {
  staticNginx.kill('SIGTERM');
  await edge.stop();
  await origin.close();
}
