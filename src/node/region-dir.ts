// Reads a region directory from disk into the core's SourceFile form.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { FILE_NAMES, loadConfig, type LoadResult } from '../core/config.js';
import { UsageError } from '../core/problems.js';
import type { FileKind } from '../core/schema.js';
import type { SourceFile } from '../core/source.js';

/** A path as users see it in messages and annotations: relative to `root`, with forward slashes. */
export function displayPath(file: string, root = process.cwd()): string {
  const relative = path.relative(root, path.resolve(file));
  return (relative.startsWith('..') ? path.resolve(file) : relative).split(path.sep).join('/');
}

export async function readRegionDir(dir: string, root = process.cwd()): Promise<Partial<Record<FileKind, SourceFile>>> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new UsageError(`no region directory at ${displayPath(dir, root)}`);
  const sources: Partial<Record<FileKind, SourceFile>> = {};
  await Promise.all(
    (Object.entries(FILE_NAMES) as [FileKind, string][]).map(async ([kind, name]) => {
      const file = path.join(dir, name);
      try {
        sources[kind] = { path: displayPath(file, root), text: await readFile(file, 'utf8') };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }),
  );
  return sources;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export async function loadRegionDir(dir: string, root = process.cwd()): Promise<LoadResult> {
  return loadConfig(await readRegionDir(dir, root), { today: today(), dir: displayPath(dir, root) });
}
