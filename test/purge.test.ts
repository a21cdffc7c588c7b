// The purge's decisions, with no nginx: what is asked, what is refused, when a region counts as
// complete, and what the job summary records. test/purge.int.test.ts runs the purge on real nginx.
import { describe, expect, it } from 'vitest';
import { userInfo } from 'node:os';
import { purgeActor } from '../src/cli/purge.js';
import { servingPods } from '../src/node/purge.js';
import { UsageError } from '../src/core/problems.js';
import {
  parseCacheHeader,
  parsePurgeTarget,
  purgeMarkdown,
  regionComplete,
  regionLine,
  runPurge,
  type Cluster,
  type EdgePod,
  type PurgeArgs,
} from '../src/core/purge.js';

const HOSTS = ['cdn.example.com', 'static.example.com'];
const parse = (args: Partial<PurgeArgs>) => parsePurgeTarget({ urls: [], everything: false, ...args }, HOSTS);
const refusal = (args: Partial<PurgeArgs>) => {
  try {
    parse(args);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('not refused');
};

describe('what a purge asks for', () => {
  it('takes whole URLs of the CDN, keyed as the edge keys them: hostname, path and query, no fragment', () => {
    const target = parse({
      urls: ['https://CDN.example.com/app.js?v=2#top', 'http://cdn.example.com/app.js?v=2', 'https://static.example.com/a b'],
    });
    if (target.kind !== 'urls') throw new Error('not URLs');
    expect(target.urls.map((u) => [u.url, u.key])).toEqual([
      ['https://cdn.example.com/app.js?v=2', 'cdn.example.com/app.js?v=2'],
      ['https://static.example.com/a%20b', 'static.example.com/a%20b'],
    ]);
    // nginx's layout for levels=1:2: the last character, then the two before it, then the MD5.
    for (const u of target.urls) expect(u.file).toMatch(/^([0-9a-f])\/([0-9a-f]{2})\/[0-9a-f]{29}\2\1$/);
  });

  it('refuses what it cannot purge, saying nothing was purged', () => {
    expect(refusal({})).toBe('give the URLs to purge, or --everything. Nothing was purged.');
    expect(refusal({ urls: ['/app.js'] })).toBe(
      'not a URL: "/app.js" (give it whole, as https://cdn.example.com/app.js). Nothing was purged.',
    );
    expect(refusal({ urls: ['ftp://cdn.example.com/a'] })).toBe('not an http or https URL: ftp://cdn.example.com/a. Nothing was purged.');
    expect(refusal({ urls: ['https://cdn.exampel.com/a'] })).toBe(
      'https://cdn.exampel.com/a: cdn.exampel.com is not a hostname of this CDN (cdn.yaml hostnames: cdn.example.com, static.example.com). Nothing was purged.',
    );
    expect(refusal({ urls: ['https://cdn.example.com/a'], everything: true, confirm: 'everything' })).toBe(
      'give URLs or --everything, not both. Nothing was purged.',
    );
    expect(refusal({ hostname: 'cdn.example.com' })).toBe(
      '--hostname goes with --everything; a URL names its own hostname. Nothing was purged.',
    );
  });

  it('purges everything only when confirmed by typing what goes', () => {
    expect(refusal({ everything: true })).toBe('purging everything needs --confirm everything: typed "". Nothing was purged.');
    expect(refusal({ everything: true, confirm: 'yes' })).toBe(
      'purging everything needs --confirm everything: typed "yes". Nothing was purged.',
    );
    expect(refusal({ everything: true, hostname: 'cdn.example.com', confirm: 'everything' })).toBe(
      'purging everything of cdn.example.com needs --confirm cdn.example.com: typed "everything". Nothing was purged.',
    );
    expect(refusal({ everything: true, hostname: 'other.example.com', confirm: 'other.example.com' })).toMatch(
      /is not a hostname of this CDN/,
    );
    expect(parse({ everything: true, confirm: 'everything' })).toEqual({ kind: 'everything' });
    expect(parse({ everything: true, hostname: 'CDN.example.com', confirm: 'cdn.example.com' })).toEqual({
      kind: 'everything',
      hostname: 'cdn.example.com',
    });
  });

  it("reads the key, and whether the answer varies, from nginx's binary cache file header", () => {
    // Built as ngx_http_file_cache_header_t lies in a file on 64-bit Linux; test/purge.int.test.ts
    // reads the files real nginx writes.
    const file = (key: string, varyLen: number) => {
      const line = new TextEncoder().encode(`\nKEY: ${key}\n`);
      const bytes = new Uint8Array(336 + line.length + 20);
      const view = new DataView(bytes.buffer);
      view.setUint32(0, 5, true);
      view.setUint16(54, 336 + line.length, true);
      bytes[187] = varyLen;
      bytes.set(line, 336);
      bytes.set(new TextEncoder().encode('HTTP/1.1 200 OK\r\n'), 336 + line.length);
      return bytes;
    };
    expect(parseCacheHeader(file('cdn.example.com/a?b', 0))).toEqual({ key: 'cdn.example.com/a?b', varies: false, headerStart: 336 + 26 });
    expect(parseCacheHeader(file('cdn.example.com/v', 15))?.varies).toBe(true);
    // Cut short inside the key: no key, and where to read up to for it.
    expect(parseCacheHeader(file('cdn.example.com/long', 0).subarray(0, 345))).toEqual({
      key: undefined,
      varies: false,
      headerStart: 336 + 27,
    });
    // Too short to be a cache file (nginx is still writing it), or a layout this code does not know.
    expect(parseCacheHeader(new Uint8Array([1, 2, 3]))).toBeUndefined();
    const other = file('k', 0);
    other[0] = 6;
    expect(() => parseCacheHeader(other)).toThrow('a cache file of version 6, not 5: this kubecdn does not know its layout');
  });
});

describe('counting pods', () => {
  const pods = (names: string[]) => names.map((name) => ({ name, uid: `uid-${name}` }));
  const cluster = (running: Record<string, string[]>, failing: string[] = [], later?: Record<string, EdgePod[]>): Cluster => {
    let listed = 0;
    return {
      runningPods: (region) => {
        listed++;
        // The first listing of each region is what the purge starts from; a later one, a re-list.
        const now = later && listed > Object.keys(running).length ? later[region] : running[region] && pods(running[region]);
        return now ? Promise.resolve(now) : Promise.reject(new Error('Unauthorized'));
      },
      open: (_region, pod) =>
        failing.includes(pod)
          ? Promise.reject(new Error('connection refused'))
          : Promise.resolve({
              remove: () => Promise.resolve(true),
              list: () => Promise.resolve([]),
              head: () => Promise.resolve(new Uint8Array()),
              close: () => Promise.resolve(),
            }),
    };
  };
  const target = parse({ urls: ['https://cdn.example.com/app.js'] });
  const run = (c: Cluster, regions = ['us-east-1', 'eu-west-1']) =>
    runPurge({ target, regions, reason: 'bad | deploy', actor: 'ops', cluster: c, now: () => new Date('2026-11-25T12:00:00Z') });

  it('is complete only when every running pod of every region confirmed', async () => {
    const report = await run(cluster({ 'us-east-1': ['a', 'b'], 'eu-west-1': ['c'] }, ['b']));
    expect(report.ok).toBe(false);
    expect(report.regions.map(regionComplete)).toEqual([false, true]);
    expect(report.regions.map(regionLine)).toEqual([
      '✗ us-east-1: 1 of 2 pods confirmed, 1 cache file removed (INCOMPLETE: b: connection refused)',
      '✓ eu-west-1: 1 of 1 pods confirmed, 1 cache file removed',
    ]);
  });

  it("counts the pods kubectl lists as running and not terminating: a rollout's old pods are not waited for", () => {
    const pod = (name: string, phase: string, deletionTimestamp?: string) => ({
      metadata: { name, uid: `uid-${name}`, ...(deletionTimestamp ? { deletionTimestamp } : {}) },
      status: { phase },
    });
    expect(
      servingPods({
        items: [pod('a', 'Running'), pod('b', 'Running', '2026-11-25T12:00:00Z'), pod('c', 'Pending'), pod('d', 'Succeeded')],
      }),
    ).toEqual([{ name: 'a', uid: 'uid-a' }]);
  });

  it('counts a pod that ended during the purge as gone with its cache, and one still running as failed', async () => {
    // us-east-1: b failed and is no longer listed; c failed and is listed under a new UID (a new pod
    // of the same name); d failed and is still the same pod. eu-west-1: e failed and is gone.
    const report = await run(
      cluster({ 'us-east-1': ['a', 'b', 'c', 'd'], 'eu-west-1': ['e'] }, ['b', 'c', 'd', 'e'], {
        'us-east-1': [...pods(['a', 'd']), { name: 'c', uid: 'uid-c-2' }],
        'eu-west-1': [],
      }),
    );
    expect(report.regions.map(regionLine)).toEqual([
      '✗ us-east-1: 1 of 4 pods confirmed, 1 cache file removed, 2 gone during the purge, their caches with them (INCOMPLETE: d: connection refused)',
      '✓ eu-west-1: 0 of 1 pods confirmed, 1 gone during the purge, its cache with it',
    ]);
    expect(report.regions.map(regionComplete)).toEqual([false, true]);
    expect(purgeMarkdown(report)).toContain('| eu-west-1 | 1 | 0 | ✅ 1 gone during the purge, its cache with it |');
  });

  it('counts a region with no running pod, or whose pods cannot be listed, as incomplete', async () => {
    const report = await run(cluster({ 'us-east-1': [] }));
    expect(report.ok).toBe(false);
    expect(report.regions.map(regionLine)).toEqual([
      '✗ us-east-1: 0 of 0 pods confirmed (INCOMPLETE: no edge pod is running)',
      '✗ eu-west-1: 0 of 0 pods confirmed (INCOMPLETE: could not list its edge pods: Unauthorized)',
    ]);
  });

  it('records as who the user who ran it, or re-ran it, in GitHub; the local user elsewhere', () => {
    expect(purgeActor({ GITHUB_ACTOR: 'first', GITHUB_TRIGGERING_ACTOR: 'rerunner' })).toBe('rerunner');
    expect(purgeActor({ GITHUB_ACTOR: 'first' })).toBe('first');
    expect(purgeActor({})).toBe(userInfo().username);
  });

  it('records who purged what, why, and per region how many pods confirmed', async () => {
    const report = await run(cluster({ 'us-east-1': ['a', 'b'], 'eu-west-1': ['c'] }, ['b']));
    expect(purgeMarkdown(report)).toBe(
      [
        '## Purge of https://cdn.example.com/app.js: INCOMPLETE',
        '',
        '| | |',
        '|---|---|',
        '| who | ops |',
        '| what | https://cdn.example.com/app.js |',
        '| why | bad \\| deploy |',
        '| started | 2026-11-25T12:00:00.000Z |',
        '| finished | 2026-11-25T12:00:00.000Z |',
        '',
        '| region | pods running | pods confirmed | |',
        '|---|---:|---:|---|',
        '| us-east-1 | 2 | 1 | ❌ b: connection refused |',
        '| eu-west-1 | 1 | 1 | ✅ |',
        '',
        '### URLs',
        '',
        '- https://cdn.example.com/app.js',
        '',
        '**Not every pod confirmed.** Those pods may still serve the old copy. Run the purge again: it is safe to repeat.',
        '',
      ].join('\n'),
    );
  });
});
