// Real nginx with the edge's nginx.conf, in front of a small local origin, for tests and benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config, Region } from '../src/core/config.js';
import { freePort } from './servers.js';
import { renderNginxConf, type RuntimeLayout } from '../src/core/edge/nginx.js';

export interface Origin {
  readonly url: string;
  readonly hits: { path: string; headers: IncomingHttpHeaders; httpVersion: string }[];
  close(): Promise<void>;
}

/** An origin that numbers its answers, marks them cacheable for `maxAge` seconds, and can be slow. */
export async function startOrigin(
  options: { maxAge?: number; delayMs?: number; body?: string; headers?: Record<string, string> } = {},
): Promise<Origin> {
  const hits: Origin['hits'] = [];
  const server: Server = createServer((req, res) => {
    hits.push({ path: req.url ?? '', headers: req.headers, httpVersion: req.httpVersion });
    const answer = () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': `public, max-age=${options.maxAge ?? 60}`, ...options.headers });
      res.end(options.body ?? `origin answer ${hits.length} for ${req.url ?? ''}\n`);
    };
    if (options.delayMs) setTimeout(answer, options.delayMs);
    else answer();
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Edge {
  readonly port: number;
  readonly conf: string;
  readonly layout: RuntimeLayout;
  stop(): Promise<void>;
}

/** The harness's layout: a free port and scratch folders (world-writable: nginx's workers run as nobody under root). */
export async function harnessLayout(): Promise<RuntimeLayout> {
  const root = mkdtempSync(path.join(tmpdir(), 'kubecdn-edge-'));
  const layout = {
    listenPort: await freePort(),
    cacheDir: path.join(root, 'cache'),
    tempDir: path.join(root, 'tmp'),
    accessLog: path.join(root, 'tmp', 'access.log'),
    // The committed geo map, as the ConfigMap holds it.
    nearMap: path.resolve(import.meta.dirname, '../manifests/base/near.conf'),
    purgePort: await freePort(),
  };
  for (const dir of [root, layout.cacheDir, layout.tempDir]) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
  }
  return layout;
}

/**
 * Starts Debian's nginx with the rendered configuration in the harness layout. A benchmark may
 * `edit` the configuration to compare it with another; tests never do.
 */
export async function startEdge(
  config: Config,
  region: Region,
  layout?: RuntimeLayout,
  options: { edit?: (conf: string) => string } = {},
): Promise<Edge> {
  const l = layout ?? (await harnessLayout());
  const rendered = renderNginxConf(config, region, l);
  const conf = options.edit ? options.edit(rendered) : rendered;
  const file = path.join(l.tempDir, 'nginx.conf');
  writeFileSync(file, conf);
  // nginx logs to /dev/stdout and /dev/stderr, which it cannot open on the sockets Node's pipes
  // are; in a container they are pipes or files, so the harness gives it files.
  const logs = { out: path.join(l.tempDir, 'stdout.log'), err: path.join(l.tempDir, 'stderr.log') };
  const nginx: ChildProcess = spawn('nginx', ['-c', file, '-p', l.tempDir, '-e', 'stderr', '-g', 'daemon off;'], {
    stdio: ['ignore', openSync(logs.out, 'a'), openSync(logs.err, 'a')],
  });
  for (let i = 0; ; i++) {
    const up = await get(l.listenPort, '/healthz').then(
      () => true,
      () => false,
    );
    if (up) break;
    if (nginx.exitCode !== null || i > 100) throw new Error(`nginx did not start: ${readFileSync(logs.err, 'utf8')}`);
    await sleep(50);
  }
  return {
    port: l.listenPort,
    conf,
    layout: l,
    stop: async () => {
      nginx.kill('SIGTERM');
      await new Promise((resolve) => nginx.once('exit', resolve));
    },
  };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export function get(port: number, pathname: string, host = 'cdn.example.com', headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, headers: { ...headers, host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
