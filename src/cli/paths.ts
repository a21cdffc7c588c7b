// Where a command runs when kubecdn is started from a subdirectory: as git finds a repository's root
// from anywhere inside it, the command runs at the root. The defaults (regions, terraform, manifests,
// .kubecdn/plans) name places at the root; a path given on the command line is read from where it
// was typed. Every path kubecdn prints is then relative to the root, as in the workflows' annotations
// and the plan comment: `regions/scalable.yaml:14:7` wherever the command was typed.
import path from 'node:path';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { repoRoot } from '../node/git.js';
import type { Io } from './io.js';

/** Options that name a file or a folder; `-` (standard input) is not a path. */
const PATH_OPTIONS = [
  'dir',
  'stack',
  'manifests',
  'out',
  'targets',
  'prices',
  'summaries',
  'service',
  'rendered',
  'live',
  'summary',
  'markdown',
  'workdir',
];

export async function atRepositoryRoot<T extends object>(io: Io, options: T, invoked: CommandUnknownOpts): Promise<{ io: Io; options: T }> {
  // Outside a git repository, everything stays relative to where the command was typed.
  const root = await repoRoot(io.cwd).catch(() => undefined);
  if (!root || path.resolve(root) === path.resolve(io.cwd)) return { io, options };
  const moved: Record<string, string> = {};
  for (const key of PATH_OPTIONS) {
    const value = (options as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value === '-' || invoked.getOptionValueSource(key) === 'default') continue;
    const absolute = path.resolve(io.cwd, value);
    const relative = path.relative(root, absolute);
    // A path outside the repository is printed whole, as displayPath does.
    moved[key] = relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative || '.';
  }
  return { io: { ...io, cwd: root }, options: { ...options, ...moved } };
}
