// Where the default paths point when kubecdn runs from a subdirectory: as git finds a repository's
// root from anywhere inside it, the defaults (regions, terraform, manifests, .kubecdn/plans) are
// read from the root; a path given on the command line stays relative to where it was typed.
import path from 'node:path';
import type { Command } from 'commander';
import { repoRoot } from '../node/git.js';

/** Options whose default names a place in the repository. */
const REPOSITORY_PATHS = ['dir', 'stack', 'manifests', 'out'] as const;

export async function fromRepositoryRoot<T extends object>(cwd: string, options: T, invoked: Command): Promise<T> {
  const defaults = REPOSITORY_PATHS.filter((key) => key in options && invoked.getOptionValueSource(key) === 'default');
  if (defaults.length === 0) return options;
  // Outside a git repository, the defaults stay relative to where the command was typed.
  const root = await repoRoot(cwd).catch(() => undefined);
  if (!root || path.resolve(root) === path.resolve(cwd)) return options;
  const moved: Record<string, string> = {};
  for (const key of defaults) moved[key] = path.relative(cwd, path.join(root, String(options[key as keyof T]))) || '.';
  return { ...options, ...moved };
}
