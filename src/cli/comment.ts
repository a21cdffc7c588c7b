// kubecdn comment: the pull-request comment rendered from the plan summaries, as it is posted.
import path from 'node:path';
import type { Matrix } from '../core/changes.js';
import { renderComment } from '../core/comment.js';
import { UsageError } from '../core/problems.js';
import { loadRegionDir } from '../node/region-dir.js';
import { readSummaries } from '../node/terraform.js';
import { EXIT, type Io } from './io.js';
import type { CommentOptions } from './program/plans.js';

export async function comment(io: Io, options: CommentOptions): Promise<number> {
  const summaries = await readSummaries(path.resolve(io.cwd, options.summaries));
  const validation = await loadRegionDir(path.resolve(io.cwd, options.dir), io.cwd);
  const matrix = options.matrix ? parseMatrix(options.matrix) : undefined;
  io.out(
    renderComment({
      summaries,
      problems: validation.problems,
      ...(matrix ? { matrix } : {}),
      ...(options.commit ? { commit: options.commit } : {}),
      fullPlans: options.fullPlans ?? path.join(options.summaries, '<region>', 'plan.txt'),
    }),
  );
  return summaries.some((s) => s.status === 'failed') || !validation.config ? EXIT.finding : EXIT.ok;
}

function parseMatrix(text: string): Matrix {
  try {
    const matrix = JSON.parse(text) as Matrix;
    if (!Array.isArray(matrix.include)) throw new Error('no include list');
    return matrix;
  } catch (error) {
    throw new UsageError(`--matrix is not a matrix as kubecdn matrix prints it: ${(error as Error).message}`);
  }
}
