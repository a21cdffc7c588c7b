// The edge's nginx.conf in real nginx (Debian's), in front of a small local origin.
import { afterEach, describe, expect, it } from 'vitest';
import type { Config, Region } from '../src/core/config.js';
import { CONTAINER_LAYOUT, renderNginxConf } from '../src/core/edge/nginx.js';
import { CDN_YAML, load, region } from './fixtures.js';
import { get, startEdge, startOrigin, type Edge, type Origin } from './edge.js';
import { setTimeout as sleep } from 'node:timers/promises';

function onlyRegion(config: Config): Region {
  const [region] = config.regions;
  if (!region) throw new Error('no region');
  return region;
}

function configFor(origin: string): Config {
  const result = load({
    alwaysOn: `regions:\n${region('us-east-1')}`,
    cdn: CDN_YAML.replace('https://origin.example.com', origin).replace('origin:', 'origin:\n    host_header: origin.example.com'),
  });
  if (!result.config) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

describe('the edge in real nginx', () => {
  const running: (Edge | Origin)[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await ('stop' in r ? r.stop() : r.close());
  });

  it('runs exactly the ConfigMap nginx.conf, with only paths and ports moved', async () => {
    const origin = await startOrigin();
    running.push(origin);
    const config = configFor(origin.url);
    const edge = await startEdge(config, onlyRegion(config));
    running.push(edge);
    const inConfigMap = renderNginxConf(config, onlyRegion(config));
    const moved = inConfigMap
      .replaceAll(CONTAINER_LAYOUT.cacheDir, edge.layout.cacheDir)
      .replaceAll(CONTAINER_LAYOUT.tempDir, edge.layout.tempDir)
      .replaceAll(`listen ${CONTAINER_LAYOUT.listenPort}`, `listen ${edge.layout.listenPort}`)
      .replaceAll(CONTAINER_LAYOUT.accessLog ?? '', edge.layout.accessLog ?? '')
      .replaceAll(CONTAINER_LAYOUT.nearMap ?? '', edge.layout.nearMap ?? '')
      .replaceAll(`listen 127.0.0.1:${CONTAINER_LAYOUT.purgePort}`, `listen 127.0.0.1:${edge.layout.purgePort}`);
    expect(edge.conf).toBe(moved);
  });

  it('misses, then hits, keyed by hostname and query, with its headers; answers /healthz itself', async () => {
    const origin = await startOrigin();
    running.push(origin);
    const config = configFor(origin.url);
    const edge = await startEdge(config, onlyRegion(config));
    running.push(edge);

    const first = await get(edge.port, '/logo.png');
    expect(first.status).toBe(200);
    expect(first.headers['x-cache-status']).toBe('MISS');
    expect(first.headers['x-edge-region']).toBe('us-east-1');
    expect(first.body).toBe('origin answer 1 for /logo.png\n');
    const second = await get(edge.port, '/logo.png');
    expect(second.headers['x-cache-status']).toBe('HIT');
    expect(second.body).toBe(first.body);
    expect(origin.hits).toHaveLength(1);
    // The origin is asked with its own name, and told which hostname the user asked for.
    expect(origin.hits[0]?.headers).toMatchObject({
      host: 'origin.example.com',
      'x-forwarded-host': 'cdn.example.com',
    });
    // HTTP/1.1 with no Connection: close, so connections to the origin are kept and reused.
    expect(origin.hits[0]?.httpVersion).toBe('1.1');
    expect(origin.hits[0]?.headers.connection).toBeUndefined();

    expect((await get(edge.port, '/logo.png', 'static.example.com')).headers['x-cache-status']).toBe('MISS');
    expect((await get(edge.port, '/logo.png?v=2')).headers['x-cache-status']).toBe('MISS');
    expect(origin.hits.map((h) => h.path)).toEqual(['/logo.png', '/logo.png', '/logo.png?v=2']);

    const health = await get(edge.port, '/healthz');
    expect([health.status, health.body]).toEqual([200, 'ok us-east-1\n']);
    expect(origin.hits).toHaveLength(3);
  });

  it('serves stale content when the origin is gone', async () => {
    const origin = await startOrigin({ maxAge: 1 });
    running.push(origin);
    const config = configFor(origin.url);
    const edge = await startEdge(config, onlyRegion(config));
    running.push(edge);
    const fresh = await get(edge.port, '/page.html');
    await origin.close();
    running.splice(running.indexOf(origin), 1);
    // nginx keeps validity to the whole second: a max-age of 1 is surely over after 2.2 s.
    await sleep(2200);
    const stale = await get(edge.port, '/page.html');
    expect(stale.status).toBe(200);
    expect(stale.headers['x-cache-status']).toBe('STALE');
    expect(stale.body).toBe(fresh.body);
  });

  it('sends one request per key to a slow origin however many users ask at once (cache lock)', async () => {
    const origin = await startOrigin({ delayMs: 300 });
    running.push(origin);
    const config = configFor(origin.url);
    const edge = await startEdge(config, onlyRegion(config));
    running.push(edge);
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(edge.port, '/video.mp4')));
    expect(new Set(answers.map((a) => a.body))).toEqual(new Set(['origin answer 1 for /video.mp4\n']));
    expect(origin.hits).toHaveLength(1);
  });
});
