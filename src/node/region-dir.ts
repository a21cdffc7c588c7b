// Reads a region directory from disk into the core's SourceFile form.
import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { FILE_NAMES, loadConfig, type LoadResult } from '../core/config.js';
import { UsageError } from '../core/problems.js';
import type { FileKind } from '../core/schema.js';
import type { SourceFile } from '../core/source.js';

/**
 * A path as users see it in messages and annotations: relative to `root` (where the command runs,
 * which a relative `file` is read from), with forward slashes.
 */
export function displayPath(file: string, root: string): string {
  const absolute = path.resolve(root, file);
  const relative = path.relative(root, absolute);
  return (relative.startsWith('..') ? absolute : relative).split(path.sep).join('/');
}

/** The region files in `dir`, read from `root` (where the command runs) when `dir` is relative. */
export async function readRegionDir(dir: string, root: string): Promise<Partial<Record<FileKind, SourceFile>>> {
  const folder = path.resolve(root, dir);
  const isDir = await stat(folder).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir)
    throw new UsageError(
      `no region directory at ${displayPath(folder, root)}: run kubecdn inside the repository that holds regions/, or name the folder with --dir`,
    );
  const sources: Partial<Record<FileKind, SourceFile>> = {};
  await Promise.all(
    (Object.entries(FILE_NAMES) as [FileKind, string][]).map(async ([kind, name]) => {
      const file = path.join(folder, name);
      try {
        if ((await lstat(file)).isSymbolicLink()) throw new UsageError(symlinkRefusal(displayPath(file, root), await readlink(file)));
        sources[kind] = { path: displayPath(file, root), text: await readFile(file, 'utf8') };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }),
  );
  return sources;
}

/**
 * Why a region file may not be a symbolic link: git stores only the link's text, so the workflows,
 * which read the files from commits, would see that text where this machine sees the file.
 */
export function symlinkRefusal(file: string, target: string): string {
  return `${file} is a symbolic link (to ${target}); git stores only the link, so the workflows would not read the file it points to. Put the file itself there.`;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export async function loadRegionDir(dir: string, root: string): Promise<LoadResult> {
  return loadConfig(await readRegionDir(dir, root), { today: today(), dir: displayPath(dir, root) });
}
