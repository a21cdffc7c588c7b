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
