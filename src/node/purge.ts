// The I/O side of purge: an edge pod's purge listener over HTTP, and the clusters through kubectl,
// which lists the edge pods and port-forwards to each pod's loopback-only purge port.
import { spawn } from 'node:child_process';
import { $ } from 'zx';
import type { CacheEntry, Cluster, EdgePod, PodCache } from '../core/purge.js';
import { CONTAINER_LAYOUT, PURGE_PREFIX } from '../core/edge/nginx.js';
import { EDGE_NAMESPACE } from './manifests.js';

/** The label every edge pod carries (manifests/base/deployment.yaml). */
export const EDGE_POD_SELECTOR = 'app.kubernetes.io/name=kubecdn-edge';

/** How long one request to a purge listener may take, its body included, before the pod counts as failed. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** A purge listener on this machine's loopback: a harness's nginx, or the local end of a port-forward. */
export function podCacheAt(port: number, options: { requestTimeoutMs?: number } = {}): PodCache {
  const timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const url = (path: string) => `http://127.0.0.1:${port}${PURGE_PREFIX}${path}`;
  // Every request, with its body, within the time: a stalled stream fails the pod, not the whole job.
  const send = async <T>(what: string, path: string, init: RequestInit, read: (res: Response) => Promise<T>): Promise<T> => {
    try {
      return await read(await fetch(url(path), { ...init, signal: AbortSignal.timeout(timeoutMs) }));
    } catch (error) {
      if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError'))
        throw new Error(`${what}: no answer within ${String(timeoutMs / 1000)} s`);
      throw error;
    }
  };
  const fail = async (what: string, res: Response): Promise<never> => {
    throw new Error(`${what} answered ${String(res.status)} ${(await res.text()).trim().slice(0, 200)}`);
  };
  return {
    remove: (path) =>
      send(`DELETE ${path}`, path, { method: 'DELETE' }, async (res) => {
        if (res.status === 204) return (await res.arrayBuffer(), true);
        if (res.status === 404) return (await res.arrayBuffer(), false);
        return fail(`DELETE ${path}`, res);
      }),
    list: (dir) =>
      send(`listing ${dir || '/'}`, dir, {}, async (res) => {
        if (res.status === 404) return (await res.arrayBuffer(), []);
        if (res.status !== 200) return fail(`listing ${dir || '/'}`, res);
        return (await res.json()) as CacheEntry[];
      }),
    head: (path, bytes) =>
      send(`reading ${path}`, path, { headers: { range: `bytes=0-${String(bytes - 1)}` } }, async (res) => {
        if (res.status === 404 || res.status === 416) return (await res.arrayBuffer(), new Uint8Array());
        if (res.status !== 206 && res.status !== 200) return fail(`reading ${path}`, res);
        return new Uint8Array(await res.arrayBuffer());
      }),
  };
}

interface PodList {
  items: { metadata: { name: string; uid: string; deletionTimestamp?: string }; status?: { phase?: string } }[];
}

/**
 * The pods of `kubectl get pods -o json` that serve: running, and not terminating. A terminating
 * pod is out of its Service already and takes its cache with it; counting it would make a purge
 * during every rollout incomplete.
 */
export function servingPods(list: PodList): EdgePod[] {
  return list.items
    .filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp)
    .map((p) => ({ name: p.metadata.name, uid: p.metadata.uid }));
}

/**
 * The clusters through kubectl, one context per region (the workflows name them kubecdn-REGION with
 * `aws eks update-kubeconfig --alias`). Needs the cluster's credentials and nothing public.
 */
export function kubectlCluster(contextFor: (region: string) => string, options: { timeoutMs?: number } = {}): Cluster {
  const timeoutMs = options.timeoutMs ?? 20_000;
  return {
    async runningPods(region) {
      const out = await $({
        quiet: true,
        nothrow: true,
      })`kubectl --context ${contextFor(region)} -n ${EDGE_NAMESPACE} get pods -l ${EDGE_POD_SELECTOR} -o json --request-timeout=30s`;
      if (out.exitCode !== 0) throw new Error(`kubectl get pods: ${out.stderr.trim()}`);
      return servingPods(JSON.parse(out.stdout) as PodList);
    },
    async open(region, pod) {
      // Port 0: kubectl picks a free local port and says which.
      const child = spawn(
        'kubectl',
        ['--context', contextFor(region), '-n', EDGE_NAMESPACE, 'port-forward', `pod/${pod}`, `:${CONTAINER_LAYOUT.purgePort}`],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      const port = await new Promise<number>((resolve, reject) => {
        const settle = (done: () => void) => {
          clearTimeout(timer);
          done();
        };
        const timer = setTimeout(() => {
          reject(new Error(`kubectl port-forward gave no port within ${String(timeoutMs / 1000)} s: ${output.trim()}`));
        }, timeoutMs);
        const read = (d: Buffer) => {
          output += d.toString();
          const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
          if (m) settle(() => resolve(Number(m[1])));
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.on('error', (e) => settle(() => reject(e)));
        child.on('exit', (code) => settle(() => reject(new Error(`kubectl port-forward exited ${String(code)}: ${output.trim()}`))));
      }).catch((error: unknown) => {
        child.kill();
        throw error;
      });
      return {
        ...podCacheAt(port),
        close: async () => {
          if (child.exitCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill();
          await exited;
        },
      };
    },
  };
}
