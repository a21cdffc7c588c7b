// The few git questions change detection asks, through zx so arguments are quoted for us.
import path from 'node:path';
import { $ } from 'zx';
import { FILE_NAMES } from '../core/config.js';
import { UsageError } from '../core/problems.js';
import type { FileKind } from '../core/schema.js';
import type { SourceFile } from '../core/source.js';
import { symlinkRefusal } from './region-dir.js';

function git(cwd: string) {
  return $({ cwd, quiet: true, verbose: false });
}

export async function repoRoot(cwd: string): Promise<string> {
  const out = await git(cwd)`git rev-parse --show-toplevel`.nothrow();
  if (out.exitCode !== 0) throw new UsageError(`${cwd} is not inside a git repository`);
  return out.stdout.trim();
}

/**
 * Git's empty tree: a base of nothing, against which every region of the head is new. apply.yml
 * compares with it until a run has succeeded, since a repository's first commit can already hold
 * every region (one made from a template does).
 */
export async function emptyTree(cwd: string): Promise<string> {
  return (await git(cwd)`git hash-object -t tree /dev/null`).stdout.trim();
}

/**
 * The commit a pull request of `ref` would be compared with: the merge base of `ref` and `head`,
 * so that what landed on the base branch since is not counted as this change. The empty tree is
 * its own base: nothing was there before.
 */
export async function mergeBase(cwd: string, ref: string, head = 'HEAD'): Promise<string> {
  if (ref === (await emptyTree(cwd))) return ref;
  for (const r of [ref, head]) {
    const ok = await git(cwd)`git rev-parse --verify --quiet ${`${r}^{commit}`}`.nothrow();
    if (ok.exitCode !== 0) throw new UsageError(`unknown git revision ${r}`);
  }
  const out = await git(cwd)`git merge-base ${ref} ${head}`.nothrow();
  if (out.exitCode !== 0) throw new UsageError(`${ref} and ${head} have no common history`);
  return out.stdout.trim();
}

/** Region files as they are at `ref`; a file the revision does not have is left out. */
export async function readRegionDirAt(cwd: string, ref: string, dir: string): Promise<Partial<Record<FileKind, SourceFile>>> {
  const root = await repoRoot(cwd);
  const relative = path.relative(root, path.resolve(cwd, dir)).split(path.sep).join('/');
  const sources: Partial<Record<FileKind, SourceFile>> = {};
  for (const [kind, name] of Object.entries(FILE_NAMES) as [FileKind, string][]) {
    const file = relative ? `${relative}/${name}` : name;
    // Mode 120000 is a symbolic link: `git show` would give the link's text, not a region file.
    const entry = (await git(root)`git ls-tree ${ref} -- ${file}`.nothrow()).stdout;
    if (entry.startsWith('120000 ')) {
      const target = (await git(root)`git show ${`${ref}:${file}`}`.nothrow()).stdout;
      throw new UsageError(`${symlinkRefusal(file, target)} (at ${ref})`);
    }
    const out = await git(root)`git show ${`${ref}:${file}`}`.nothrow();
    if (out.exitCode === 0) sources[kind] = { path: file, text: out.stdout };
  }
  return sources;
}

/** Paths changed from `base` to `head`, or to the working tree (untracked files included) without one. */
export async function changedPaths(cwd: string, base: string, head?: string): Promise<string[]> {
  const root = await repoRoot(cwd);
  const diff = head ? await git(root)`git diff --name-only ${base} ${head}` : await git(root)`git diff --name-only ${base}`;
  const untracked = head ? '' : (await git(root)`git ls-files --others --exclude-standard`).stdout;
  return [...new Set(`${diff.stdout}\n${untracked}`.split('\n').filter(Boolean))].sort();
}
