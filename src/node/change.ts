// A change as a pull request sees it: the region files at the merge base and at the head (a commit,
// or the working tree), and the matrix of regions to plan.
import path from 'node:path';
import { cdnWideChange, cdnWideLocation, detectChanges, edgeChanges, type EdgeEntry, type Matrix } from '../core/changes.js';
import { loadConfig, type Config, type LoadResult, type Location } from '../core/config.js';
import { RegionConfigError } from '../core/problems.js';
import { changedPaths, mergeBase, readRegionDirAt, repoRoot } from './git.js';
import { displayPath, readRegionDir, today } from './region-dir.js';

export interface ChangeOptions {
  readonly base: string;
  /** A revision, or undefined for the working tree. */
  readonly head?: string;
  readonly dir: string;
}

export interface Change {
  readonly baseSha: string;
  readonly base: Config | undefined;
  /** The head's region files checked as a pull request checks them (today's support windows). */
  readonly head: LoadResult;
  readonly changedPaths: readonly string[];
  /** Present when the head is valid. */
  readonly matrix?: Matrix;
  /** Serving regions whose edge changes with no Terraform job; present when the head is valid. */
  readonly edge?: readonly EdgeEntry[];
  /** Set when the change concerns the whole CDN (owner_id, the zone); present when the head is valid. */
  readonly cdnWide?: string;
  /** Where the head's cdn.yaml holds the CDN-wide setting that changed, when it still holds it. */
  readonly cdnWideAt?: Location;
}

export async function loadChange(cwd: string, options: ChangeOptions): Promise<Change> {
  const root = await repoRoot(cwd);
  const baseSha = await mergeBase(cwd, options.base, options.head ?? 'HEAD');
  const dir = path.resolve(cwd, options.dir);
  const dirInRepo = displayPath(dir, root);
  const baseSources = await readRegionDirAt(root, baseSha, dirInRepo);
  let base: Config | undefined;
  if (baseSources['always-on']) {
    const loaded = loadConfig(baseSources, { dir: dirInRepo });
    if (!loaded.config)
      throw new RegionConfigError(loaded.problems.map((p) => ({ ...p, message: `at the base ${baseSha.slice(0, 12)}: ${p.message}` })));
    base = loaded.config;
  }
  const headSources = options.head ? await readRegionDirAt(root, options.head, dirInRepo) : await readRegionDir(dir, root);
  const head = loadConfig(headSources, { today: today(), dir: dirInRepo });
  const paths = await changedPaths(root, baseSha, options.head);
  return {
    baseSha,
    base,
    head,
    changedPaths: paths,
    ...(head.config
      ? {
          matrix: detectChanges({ base, head: head.config, changedPaths: paths }),
          edge: edgeChanges({ base, head: head.config, changedPaths: paths }),
          ...optional('cdnWide', cdnWideChange(base, head.config)),
          ...optional('cdnWideAt', cdnWideLocation(base, head.config)),
        }
      : {}),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
