// Real Prometheus for tests and benchmarks: history written as TSDB blocks by promtool, and a
// server started on them (or scraping targets) on a free loopback port.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './servers.js';

export interface CounterSeries {
  readonly labels: Record<string, string>;
  /** Requests per second at Unix second `t`. */
  readonly rate: (t: number) => number;
  /** The last Unix second the series has a sample (its edge stopped reporting); default `to`. */
  readonly until?: number;
}

/**
 * kubecdn_requests_total as OpenMetrics text, one sample per series every `interval` seconds from
 * `from` to `to`: each counter grows by the rate of its time times the interval.
 */
export function openMetrics(series: readonly CounterSeries[], from: number, to: number, interval = 15): string {
  const lines = ['# HELP kubecdn_requests Requests by the region nearest the client.', '# TYPE kubecdn_requests counter'];
  for (const s of series) {
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    let total = 0;
    for (let t = from; t <= Math.min(to, s.until ?? to); t += interval) {
      total += s.rate(t) * interval;
      lines.push(`kubecdn_requests_total{${labels}} ${total.toFixed(3)} ${t}`);
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}

/** A TSDB folder holding the samples, written by `promtool tsdb create-blocks-from openmetrics`. */
export function createBlocks(text: string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'kubecdn-tsdb-'));
  const input = path.join(root, 'history.om');
  writeFileSync(input, text);
  const data = path.join(root, 'data');
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data], { stdio: 'pipe' });
  return data;
}

export interface RunningPrometheus {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Debian's prometheus on a data folder, with an optional configuration (scrape targets) and more flags. */
export async function startPrometheus(
  options: { data?: string; config?: string; args?: readonly string[] } = {},
): Promise<RunningPrometheus> {
  const root = mkdtempSync(path.join(tmpdir(), 'kubecdn-prometheus-'));
  const config = path.join(root, 'prometheus.yml');
  writeFileSync(config, options.config ?? 'global: {}\n');
  const port = await freePort();
  const log = path.join(root, 'prometheus.log');
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${options.data ?? path.join(root, 'data')}`,
      // The history may be days old: keep it.
      '--storage.tsdb.retention.time=3650d',
      `--web.listen-address=127.0.0.1:${port}`,
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', openSync(log, 'a')] },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || i > 300) throw new Error(`prometheus did not start: ${readFileSync(log, 'utf8').slice(-2000)}`);
    await sleep(100);
  }
  return {
    url,
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
