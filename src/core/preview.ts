// What a pull request of the working tree would show: for the terminal, and as the comment itself.
import type { EdgeEntry, Matrix } from './changes.js';
import { renderComment } from './comment.js';
import type { LoadResult } from './config.js';
import { plain, problemsToMarkdown, problemsToText, regionsToMarkdown, regionsToText, type Style } from './render.js';
import type { PlanSummary } from './terraform.js';
import { dnsDiffToMarkdown, dnsDiffToText, type DnsDiffEntry } from './dns/diff.js';
import { latencyToMarkdown, latencyToText, type CandidateCosts, type LatencyImpact } from './latency/impact.js';
import type { CostChange } from './cost/model.js';
import { costChangeToText, costSectionMarkdown } from './cost/render.js';

/** The comment section on latency; the pipeline's comment uses the same title. */
export const LATENCY_TITLE = 'Latency for users';
/** The comment section on cost; the pipeline's comment uses the same title. */
export const COST_TITLE = 'Cost a month';
export const EDGE_TITLE = 'Edge only';

/** Regions whose manifests change with no Terraform job: the apply workflow renders and applies them. */
export function edgeToMarkdown(edge: readonly EdgeEntry[]): string {
  return [
    'These regions need no Terraform plan: after merge, the apply workflow renders and applies their edge manifests.',
    '',
    ...edge.map((e) => `- **${e.region}**: ${e.reason}`),
  ].join('\n');
}

export interface PreviewModel {
  readonly validation: LoadResult;
  readonly base?: string;
  readonly baseSha?: string;
  readonly matrix?: Matrix;
  /** A change that concerns the whole CDN (owner_id, the zone). */
  readonly cdnWide?: string;
  /** Regions whose edge manifests change while Terraform has nothing to do for them. */
  readonly edge?: readonly EdgeEntry[];
  readonly summaries: readonly PlanSummary[];
  readonly unplanned?: string;
  readonly noChange?: string;
  /** Latency records the change adds or removes, judged from the region files. */
  readonly dns?: readonly DnsDiffEntry[];
  readonly latency?: LatencyImpact;
  /** What the change costs a month, and what switching the switched-off regions on would cost. */
  readonly cost?: CostChange;
  readonly candidateCosts?: CandidateCosts;
}

/** The region files' problems and the regions after the change, for a job summary. */
export function renderValidationMarkdown(result: LoadResult): string {
  return [
    '## kubeCDN region files',
    '',
    problemsToMarkdown(result.problems),
    ...(result.config ? ['', '### Regions after this change', regionsToMarkdown(result.config)] : []),
  ].join('\n');
}

/** Exactly the comment a pull request of the working tree would get. */
export function renderPreviewMarkdown(model: PreviewModel): string {
  return renderComment({
    summaries: model.summaries,
    problems: model.validation.problems,
    ...(model.matrix ? { matrix: model.matrix } : {}),
    ...(model.cdnWide ? { cdnWide: model.cdnWide } : {}),
    ...(model.unplanned ? { unplanned: model.unplanned } : {}),
    notes: [
      ...(model.noChange ? [`Nothing to compare: ${model.noChange}.`] : []),
      ...(model.base
        ? [
            `Local preview of the working tree against \`${model.base}\`${model.baseSha ? ` (merge base \`${model.baseSha.slice(0, 12)}\`)` : ''}.`,
          ]
        : []),
    ],
    sections: [
      ...(model.edge?.length ? [{ title: EDGE_TITLE, body: edgeToMarkdown(model.edge) }] : []),
      ...(model.cost ? [{ title: COST_TITLE, body: costSectionMarkdown(model.cost, model.latency) }] : []),
      ...(model.latency
        ? [
            {
              title: LATENCY_TITLE,
              body: latencyToMarkdown(model.latency, model.candidateCosts ? { costs: model.candidateCosts } : {}),
            },
          ]
        : []),
      ...(model.dns ? [{ title: 'DNS after merge', body: dnsDiffToMarkdown(model.dns) }] : []),
      ...(model.validation.config ? [{ title: 'Regions after this change', body: regionsToMarkdown(model.validation.config) }] : []),
    ],
  });
}

export function renderPreviewText(model: PreviewModel, style: Style = plain): string {
  const out = [style.bold('Region files'), problemsToText(model.validation.problems, style)];
  if (model.validation.config) out.push('', style.bold('Regions after this change'), regionsToText(model.validation.config, style));
  out.push(
    '',
    style.bold(`Change${model.base ? ` against ${model.base}${model.baseSha ? ` (merge base ${model.baseSha.slice(0, 12)})` : ''}` : ''}`),
  );
  if (model.noChange) out.push(`nothing to compare: ${model.noChange}`);
  else if (!model.matrix) out.push('no plan: the region files have errors');
  else if (!model.matrix.include.length) out.push('no region needs a Terraform plan');
  const wide = model.cdnWide ?? model.matrix?.include.find((e) => e.cdnWide)?.cdnWide;
  if (wide) out.push(style.red(`CDN-wide: ${wide}`));
  for (const e of model.edge ?? []) out.push(`${e.region}  edge only  ${e.reason}  →  manifests applied after merge, no Terraform`);
  if (model.matrix?.include.length) {
    const width = Math.max(...model.matrix.include.map((e) => e.region.length));
    for (const entry of model.matrix.include) {
      const summary = model.summaries.find((s) => s.region === entry.region);
      const result = summary
        ? summary.status === 'failed'
          ? style.red(`failed at terraform ${summary.error?.step ?? ''}`)
          : summary.status === 'no-changes'
            ? 'no changes'
            : `${summary.counts.create} to add, ${summary.counts.update} to change, ${summary.counts.delete} to destroy, ${summary.counts.replace} to replace`
        : style.dim(model.unplanned ?? 'no result');
      out.push(
        `${entry.region.padEnd(width)}  ${(entry.operation === 'destroy' ? style.red('destroy') : 'plan').padEnd(7)}  ${entry.reason}  →  ${result}`,
      );
    }
    const impact = model.summaries.filter((s) => s.serving && s.critical.length);
    for (const s of impact)
      out.push(style.red(`traffic impact in ${s.region}: ${s.critical.map((c) => `${c.action} ${c.address}`).join(', ')}`));
    if (!model.summaries.length)
      out.push('', style.dim('`kubecdn preview --format markdown` prints the pull-request comment; --terraform runs the plans.'));
  }
  if (model.cost) out.push('', style.bold(COST_TITLE), costChangeToText(model.cost, style));
  if (model.latency)
    out.push('', style.bold(LATENCY_TITLE), latencyToText(model.latency, model.candidateCosts ? { costs: model.candidateCosts } : {}));
  if (model.dns) out.push('', style.bold('DNS after merge'), dnsDiffToText(model.dns));
  return out.join('\n');
}
