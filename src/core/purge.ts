// Purge: take content out of every edge pod of every serving region. Each pod has its own cache,
// so a purge is only done when every running pod confirmed it. The cluster (which pods run, and a
// way into each one's purge listener) is passed in: this file decides, it does no I/O itself.
import { createHash } from 'node:crypto';
import { describeTarget, regionComplete, regionLine } from './purge-report.js';
import { UsageError } from './problems.js';

/** What to purge: some URLs, or everything (of one hostname, or of the whole CDN). */
export type PurgeTarget =
  { readonly kind: 'urls'; readonly urls: readonly PurgeUrl[] } | { readonly kind: 'everything'; readonly hostname?: string };

export interface PurgeUrl {
  readonly url: string;
  /** The edge's cache key: `proxy_cache_key $host$request_uri`. */
  readonly key: string;
  /** The cache file nginx keeps it in, relative to the cache folder. */
  readonly file: string;
}

/** One entry of a cache folder, as nginx's autoindex lists it. */
export interface CacheEntry {
  readonly name: string;
  readonly type: string;
}

/** One pod's cache, through its purge listener. Paths are relative to the cache folder. */
export interface PodCache {
  /** Deletes a file; false when it was not there. */
  remove(path: string): Promise<boolean>;
  list(dir: string): Promise<CacheEntry[]>;
  /** The first bytes of a cache file (nginx's header, then the key); none when it is not there. */
  head(path: string, bytes: number): Promise<Uint8Array>;
}

/** An edge pod: its name, and its UID, which a new pod of the same name does not share. */
export interface EdgePod {
  readonly name: string;
  readonly uid: string;
}

/** The clusters: which edge pods run in a region, and a way into each one's purge listener. */
export interface Cluster {
  /** The pods running and not terminating: those that serve. */
  runningPods(region: string): Promise<EdgePod[]>;
  open(region: string, pod: string): Promise<PodCache & { close(): Promise<void> }>;
}

export interface PodOutcome {
  readonly pod: string;
  readonly ok: boolean;
  /** Cache files removed. */
  readonly removed?: number;
  readonly error?: string;
  /** It failed, and is no longer running (or is a new pod under its name): its cache went with it. */
  readonly gone?: boolean;
}

export interface RegionOutcome {
  readonly region: string;
  /** The pods running when the purge started: each must confirm. */
  readonly running: readonly string[];
  readonly pods: readonly PodOutcome[];
  /** Why the pods could not even be listed. */
  readonly error?: string;
}

export interface PurgeReport {
  readonly target: PurgeTarget;
  readonly reason: string;
  readonly actor: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly regions: readonly RegionOutcome[];
  /** Every region complete. */
  readonly ok: boolean;
}

// ---------------------------------------------------------------------------------------------
// What to purge

/** The key the edge stores a URL under: the hostname, then the path and query as sent. */
export function cacheKey(url: URL): string {
  return `${url.hostname}${url.pathname}${url.search}`;
}

/** nginx names a cache file by the MD5 of its key, in folders `levels=1:2` from its last characters. */
export function cacheFile(key: string): string {
  const md5 = createHash('md5').update(key).digest('hex');
  return `${md5.slice(-1)}/${md5.slice(-3, -1)}/${md5}`;
}

export interface PurgeArgs {
  readonly urls: readonly string[];
  readonly everything: boolean;
  readonly hostname?: string;
  readonly confirm?: string;
}

/**
 * The purge asked for, checked against the CDN's hostnames, or a UsageError saying what is wrong.
 * Everything must be confirmed by typing what goes: `everything`, or the hostname.
 */
export function parsePurgeTarget(args: PurgeArgs, hostnames: readonly string[]): PurgeTarget {
  const known = (host: string, what: string) => {
    if (!hostnames.includes(host))
      throw new UsageError(
        `${what}: ${host} is not a hostname of this CDN (cdn.yaml hostnames: ${hostnames.join(', ')}). Nothing was purged.`,
      );
  };
  if (args.everything) {
    if (args.urls.length > 0) throw new UsageError('give URLs or --everything, not both. Nothing was purged.');
    if (args.hostname !== undefined) known(args.hostname.toLowerCase(), '--hostname');
    const hostname = args.hostname?.toLowerCase();
    const expected = hostname ?? 'everything';
    if ((args.confirm ?? '').trim() !== expected)
      throw new UsageError(
        `purging everything${hostname ? ` of ${hostname}` : ''} needs --confirm ${expected}: typed "${args.confirm ?? ''}". Nothing was purged.`,
      );
    return hostname ? { kind: 'everything', hostname } : { kind: 'everything' };
  }
  if (args.hostname !== undefined)
    throw new UsageError('--hostname goes with --everything; a URL names its own hostname. Nothing was purged.');
  if (args.urls.length === 0) throw new UsageError('give the URLs to purge, or --everything. Nothing was purged.');
  const urls = new Map<string, PurgeUrl>();
  for (const text of args.urls) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new UsageError(`not a URL: "${text}" (give it whole, as https://cdn.example.com/app.js). Nothing was purged.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new UsageError(`not an http or https URL: ${text}. Nothing was purged.`);
    known(url.hostname, text);
    url.hash = '';
    const key = cacheKey(url);
    // http and https share the key: the first spelling of a key names it in the record.
    if (!urls.has(key)) urls.set(key, { url: url.href, key, file: cacheFile(key) });
  }
  return { kind: 'urls', urls: [...urls.values()] };
}

// ---------------------------------------------------------------------------------------------
// Purging

/**
 * nginx's header at the start of every cache file: ngx_http_file_cache_header_t
 * (src/http/ngx_http_cache.h), written as it is in memory, here as on 64-bit Linux (x86-64 and
 * arm64): version (8 bytes), valid_sec, updating_sec, error_sec, last_modified, date (8 each),
 * crc32 (4), valid_msec, header_start, body_start (2 each), etag_len (1), etag[128], vary_len (1),
 * vary[128], variant[16], padded to 336 bytes. Then `\nKEY: <key>\n`, then the HTTP header from
 * header_start.
 */
export const CACHE_HEADER = { version: 5, size: 336, headerStart: 54, varyLen: 187 } as const;

export interface CacheHeader {
  /** The key nginx stored it under; undefined when the key line goes beyond the bytes read. */
  readonly key: string | undefined;
  /** The stored answer varies (a Vary header): nginx keeps each variant in a file of its own. */
  readonly varies: boolean;
  /** Where the key line ends and the HTTP header starts: how much to read for the whole key. */
  readonly headerStart: number;
}

/** The header of a cache file from its first bytes; undefined for a file too short to be one (one nginx is still writing). */
export function parseCacheHeader(bytes: Uint8Array): CacheHeader | undefined {
  if (bytes.length < CACHE_HEADER.size) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(0, true);
  if (version !== CACHE_HEADER.version)
    throw new Error(
      `a cache file of version ${String(version)}, not ${String(CACHE_HEADER.version)}: this kubecdn does not know its layout`,
    );
  const headerStart = view.getUint16(CACHE_HEADER.headerStart, true);
  const varies = (bytes[CACHE_HEADER.varyLen] ?? 0) > 0;
  const text = new TextDecoder('latin1').decode(bytes.subarray(CACHE_HEADER.size, Math.min(bytes.length, headerStart)));
  const end = text.indexOf('\n', 6);
  const key = text.startsWith('\nKEY: ') && end > 0 ? text.slice(6, end) : undefined;
  return { key, varies, headerStart };
}

/** Reads a cache file's header: the first 4 KiB, and more when the key goes on beyond them. */
async function readHeader(cache: PodCache, file: string): Promise<CacheHeader | undefined> {
  const first = parseCacheHeader(await cache.head(file, HEADER_BYTES));
  if (first?.key !== undefined || !first || first.headerStart <= HEADER_BYTES) return first;
  return parseCacheHeader(await cache.head(file, first.headerStart));
}

/** Runs `work` over the items, at most `limit` at a time; starts no more once `signal` is aborted. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      await work(items[next++] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const HEADER_BYTES = 4096;

async function cacheFiles(cache: PodCache, signal?: AbortSignal): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await cache.list(dir);
    const dirs = entries.filter((e) => e.type === 'directory');
    files.push(...entries.filter((e) => e.type !== 'directory').map((e) => `${dir}${e.name}`));
    if (depth < 2) await eachLimited(dirs, 16, (d) => walk(`${dir}${d.name}/`, depth + 1), signal);
  };
  await walk('', 0);
  return files;
}

/** Purges one pod's cache; the number of files removed. */
export async function purgePod(cache: PodCache, target: PurgeTarget, signal?: AbortSignal, concurrency = 16): Promise<number> {
  let removed = 0;
  const remove = async (path: string) => {
    if (await cache.remove(path)) removed++;
  };
  if (target.kind === 'urls') {
    // A URL whose stored answer varies has more files than the one its key names, found only by
    // reading every file's key; and when the key's own file is not there (evicted, or deleted by
    // a purge that failed halfway), variants may still be. The key's own file goes last, so that
    // a purge stopped halfway leaves it, and the next run looks again.
    const scan: PurgeUrl[] = [];
    await eachLimited(
      target.urls,
      concurrency,
      async (u) => {
        const header = await readHeader(cache, u.file);
        if (header && !header.varies) await remove(u.file);
        else scan.push(u);
      },
      signal,
    );
    if (scan.length > 0) {
      const keys = new Set(scan.map((u) => u.key));
      const own = new Set(scan.map((u) => u.file));
      await eachLimited(
        await cacheFiles(cache, signal),
        concurrency,
        async (file) => {
          if (own.has(file)) return;
          const key = (await readHeader(cache, file))?.key;
          if (key !== undefined && keys.has(key)) await remove(file);
        },
        signal,
      );
      await eachLimited(scan, concurrency, (u) => remove(u.file), signal);
    }
    return removed;
  }
  if (!target.hostname) {
    // The whole cache, file by file. Not folder by folder: on a pod that serves, nginx stores new
    // files behind nginx's own walk of a folder, whose last rmdir then fails (ENOTEMPTY, a 500), on
    // every run again. A file stored after the walk passed is an answer fetched during the purge.
    await eachLimited(await cacheFiles(cache, signal), concurrency, remove, signal);
    return removed;
  }
  const prefix = `${target.hostname}/`;
  await eachLimited(
    await cacheFiles(cache, signal),
    concurrency,
    async (file) => {
      if ((await readHeader(cache, file))?.key?.startsWith(prefix)) await remove(file);
    },
    signal,
  );
  return removed;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The most one pod may take, its port-forward included. Pods and regions are purged at once, so a
 * purge that ends takes about as long at most, well inside the workflow job's 15 minutes: the job
 * always gets to write its summary.
 */
export const POD_DEADLINE_MS = 5 * 60_000;

/** `work`, or an error once `signal` aborts: a pod that stalls is given up, not waited for. */
function beforeDeadline<T>(work: Promise<T>, signal: AbortSignal, late: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new Error(late));
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

async function purgeRegion(
  cluster: Cluster,
  region: string,
  target: PurgeTarget,
  podDeadlineMs: number,
  log: (line: string) => void,
): Promise<RegionOutcome> {
  let listed: EdgePod[];
  try {
    listed = await cluster.runningPods(region);
  } catch (error) {
    const outcome = { region, running: [], pods: [], error: `could not list its edge pods: ${message(error)}` };
    log(regionLine(outcome));
    return outcome;
  }
  const running = listed.map((p) => p.name);
  const outcomes = await Promise.all(
    running.map(async (pod): Promise<PodOutcome> => {
      const deadline = AbortSignal.timeout(podDeadlineMs);
      const work = cluster.open(region, pod).then(async (cache) => {
        try {
          return await purgePod(cache, target, deadline);
        } finally {
          await cache.close();
        }
      });
      try {
        const removed = await beforeDeadline(work, deadline, `no confirmation within ${String(podDeadlineMs / 1000)} s`);
        return { pod, ok: true, removed };
      } catch (error) {
        return { pod, ok: false, error: message(error) };
      }
    }),
  );
  const outcome = { region, running, pods: await goneOrFailed(cluster, region, listed, outcomes) };
  log(regionLine(outcome));
  return outcome;
}

/**
 * A pod that failed may have ended meanwhile (a rollout, a scale-in): listed again, a pod no longer
 * running, or running under a new UID, took its cache with it, and serves nothing old. One that is
 * still there failed.
 */
async function goneOrFailed(cluster: Cluster, region: string, listed: readonly EdgePod[], outcomes: PodOutcome[]): Promise<PodOutcome[]> {
  if (outcomes.every((p) => p.ok)) return outcomes;
  let now: EdgePod[];
  try {
    now = await cluster.runningPods(region);
  } catch {
    return outcomes;
  }
  const still = new Set(now.map((p) => `${p.name}/${p.uid}`));
  return outcomes.map((p, i) => (p.ok || still.has(`${p.pod}/${listed[i]?.uid ?? ''}`) ? p : { ...p, gone: true }));
}

export interface RunPurgeOptions {
  readonly target: PurgeTarget;
  readonly regions: readonly string[];
  readonly reason: string;
  readonly actor: string;
  readonly cluster: Cluster;
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
  /** The most one pod may take (POD_DEADLINE_MS). */
  readonly podDeadlineMs?: number;
}

/** Purges every running edge pod of every region at once, and reports what each confirmed. */
export async function runPurge(options: RunPurgeOptions): Promise<PurgeReport> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => undefined);
  const startedAt = now().toISOString();
  log(`purging ${describeTarget(options.target)} in ${options.regions.join(', ')}`);
  const regions = await Promise.all(
    options.regions.map((r) => purgeRegion(options.cluster, r, options.target, options.podDeadlineMs ?? POD_DEADLINE_MS, log)),
  );
  return {
    target: options.target,
    reason: options.reason,
    actor: options.actor,
    startedAt,
    finishedAt: now().toISOString(),
    regions,
    ok: regions.length > 0 && regions.every(regionComplete),
  };
}

export { describeTarget, purgeMarkdown, regionComplete, regionLine } from './purge-report.js';
