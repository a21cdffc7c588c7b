// Median wall time of repeated runs, for the benchmarks.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export function time(runs: number, fn: () => unknown): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

export const ms = (n: number): string => `${n.toFixed(2)} ms`;

/**
 * Requests a second from wrk on loopback, in its own process and awaited without blocking, since the
 * benchmarks' origins answer from this process.
 */
export async function wrkRate(url: string, options: { connections: number; seconds: number }): Promise<number> {
  const args = ['-t2', `-c${options.connections}`, `-d${options.seconds}s`, '-H', 'Host: cdn.example.com', url];
  const child = spawn('wrk', args);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.on('close', resolve));
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  if (!rps) throw new Error(`wrk failed: ${out}`);
  return Number(rps);
}
