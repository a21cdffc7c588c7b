// kubecdn preview and comment: what a pull request shows, before it is opened and as it is posted.
import path from 'node:path';
import type { Matrix } from '../core/changes.js';
import { renderComment } from '../core/comment.js';
import { renderPreviewMarkdown, renderPreviewText } from '../core/preview.js';
import { UsageError } from '../core/problems.js';
import { preview as buildPreview } from '../node/preview.js';
import { loadRegionDir } from '../node/region-dir.js';
import { readSummaries } from '../node/terraform.js';
import { EXIT, type Io } from './io.js';
import type { CommentOptions, PreviewOptions } from './program/plans.js';

export async function preview(io: Io, options: PreviewOptions): Promise<number> {
  const result = await buildPreview(io.cwd, options);
  const model = {
    validation: result.validation,
    summaries: result.summaries,
    ...(result.base ? { base: result.base } : {}),
    ...(result.change ? { baseSha: result.change.baseSha } : {}),
    ...(result.change?.matrix ? { matrix: result.change.matrix } : {}),
    ...(result.change?.edge?.length ? { edge: result.change.edge } : {}),
    ...(result.change?.cdnWide ? { cdnWide: result.change.cdnWide } : {}),
    ...(result.unplanned ? { unplanned: result.unplanned } : {}),
    ...(result.noChange ? { noChange: result.noChange } : {}),
    ...(result.dns ? { dns: result.dns } : {}),
    ...(result.latency ? { latency: result.latency } : {}),
    ...(result.cost ? { cost: result.cost } : {}),
    ...(result.candidateCosts ? { candidateCosts: result.candidateCosts } : {}),
  };
  io.out(options.format === 'markdown' ? renderPreviewMarkdown(model) : renderPreviewText(model, io.outStyle));
  return result.validation.config && !result.summaries.some((s) => s.status === 'failed') ? EXIT.ok : EXIT.finding;
}

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
