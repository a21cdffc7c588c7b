// kubecdn preview: what a pull request of the working tree would show, before it is opened.
import { renderPreviewMarkdown, renderPreviewText } from '../core/preview.js';
import { preview as buildPreview } from '../node/preview.js';
import { EXIT, type Io } from './io.js';
import type { PreviewOptions } from './program/plans.js';

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
