// Starts the built CLI or a bundled action as a separate process, as a user or the runner would.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const CLI = path.join(ROOT, 'dist/cli/index.js');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kubecdn args…` in `cwd` with no terminal, no colour settings, and only the env given. */
export function kubecdn(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Ran {
  const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], ...options.env };
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Like kubecdn(), without blocking this process: for tests whose servers run in this process. */
export async function kubecdnAsync(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  const { spawn } = await import('node:child_process');
  const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], ...options.env };
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}
