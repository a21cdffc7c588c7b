// The one pull-request comment: what the change does to each region, worst news first, always
// within GitHub's size limit.
import { AWS_REGIONS } from './aws-regions.js';
import type { Matrix } from './changes.js';
import type { Problem } from './problems.js';
import { escapeCell, problemsToMarkdown } from './render.js';
import { ACTIONS, type Action, type PlanSummary } from './terraform.js';

/** Finds kubeCDN's comment among a pull request's comments: it always starts with this line. */
export const COMMENT_MARKER = '<!-- kubecdn:plan -->';
/** GitHub refuses a comment body longer than this many characters. */
export const COMMENT_LIMIT = 65_536;
/** A job summary may hold 1 MiB; counted in UTF-8 bytes. */
export const SUMMARY_LIMIT = 1_048_576;

export interface Section {
  readonly title: string;
  readonly body: string;
}

export interface CommentInput {
  readonly summaries: readonly PlanSummary[];
  /** A change that concerns the whole CDN (owner_id, the zone), said first even with nothing to plan. */
  readonly cdnWide?: string;
  /** The regions that were to be planned; one without a summary is shown as having no result. */
  readonly matrix?: Matrix;
  /** Problems in the region files; with errors, nothing was planned. */
  readonly problems?: readonly Problem[];
  /** The commit the plans are for. */
  readonly commit?: string;
  /** Where the whole plans are, said when a plan is cut: "the job summary of run 42 (url)". */
  readonly fullPlans?: string;
  /** Said at the top, such as why a pull request from a fork has no plans. */
  readonly notes?: readonly string[];
  /** Further sections (DNS changes, latency) placed after the plans table. */
  readonly sections?: readonly Section[];
  /**
   * Set where plans were not run on purpose (a local preview without --terraform): regions of the
   * matrix without a summary then show this, instead of being reported as having no result.
   */
  readonly unplanned?: string;
}

export interface RenderOptions {
  /** The most the result may measure. */
  readonly limit?: number;
  /** How size is measured: characters for a comment, UTF-8 bytes for a job summary. */
  readonly measure?: (text: string) => number;
  /** Include the marker line (a comment) or not (a job summary, a terminal). */
  readonly marker?: boolean;
}

const characters = (text: string) => text.length;
const encoder = new TextEncoder();
export const utf8Bytes = (text: string): number => encoder.encode(text).length;

const ACTION_WORDS: Record<Action, string> = { create: 'Create', update: 'Update in place', delete: 'Destroy', replace: 'Replace' };

export function renderComment(input: CommentInput, options: RenderOptions = {}): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  const measure = options.measure ?? characters;
  const fit = (text: string) => (measure(text) <= limit ? text : hardCut(text, limit, measure));
  // Each plan is turned into diff form once: plans can run to megabytes.
  const plans = new Map(input.summaries.map((s) => [s, diffLines(s.planText)]));
  // Each plan's code fence and the blank line before it come on top of its share.
  const fences = [...plans.values()].reduce((n, text) => n + (text ? measure(codeBlock('', 'diff', fenceFor(text))) + 2 : 0), 0);
  // Resource lists shrink first, then plan texts are cut fairly, then details go: the table and
  // the warnings are what a reviewer must see, so they always stay.
  for (const listCap of [Infinity, 50, 10, 0]) {
    const fixed = assemble(input, options, listCap, () => '');
    const budget = limit - measure(fixed) - fences - 64;
    if (budget < 0) continue;
    const shares = fairShares(
      [...plans.values()].map((text) => measure(text)),
      budget,
    );
    const share = new Map(input.summaries.map((s, i) => [s, shares[i] ?? 0]));
    return fit(assemble(input, options, listCap, (s) => cutPlan(plans.get(s) ?? '', share.get(s) ?? 0, input.fullPlans)));
  }
  return fit(assemble(input, options, 0, () => '', false));
}

/** The plan text to show for a region, already cut to its share. */
type PlanPart = (summary: PlanSummary) => string;

function assemble(input: CommentInput, options: RenderOptions, listCap: number, plan: PlanPart, details = true): string {
  const summaries = [...input.summaries].sort(byRegionOrder(input.matrix));
  const missing = (input.matrix?.include ?? []).filter((e) => !summaries.some((s) => s.region === e.region));
  const errors = (input.problems ?? []).filter((p) => p.severity === 'error');
  const parts: string[] = [];
  if (options.marker !== false) parts.push(COMMENT_MARKER);
  parts.push(`## kubeCDN plan${input.commit ? ` for \`${input.commit.slice(0, 12)}\`` : ''}`);
  for (const note of input.notes ?? []) parts.push(`> [!NOTE]\n> ${note}`);
  const wide = input.cdnWide ?? input.matrix?.include.find((e) => e.cdnWide)?.cdnWide;
  if (wide) parts.push(`> [!CAUTION]\n> **CDN-wide change.** ${wide}`);
  parts.push(...trafficImpact(summaries), ...failures(summaries, input.unplanned ? [] : missing));
  if (input.problems?.length) parts.push(`### Region files\n${problemsToMarkdown(input.problems)}`);
  if (!errors.length) {
    parts.push(
      summaries.length || missing.length
        ? planTable(summaries, missing, input.unplanned)
        : 'No region needs a Terraform plan for this change.',
    );
    parts.push(...destroys(summaries));
  }
  parts.push(...(input.sections ?? []).map((s) => `### ${s.title}\n${s.body}`));
  if (details) parts.push(...summaries.map((s) => regionDetails(s, listCap, plan(s))));
  else parts.push(`<sub>The per-region details did not fit in one comment${input.fullPlans ? `: see ${input.fullPlans}` : ''}.</sub>`);
  parts.push(footer(input));
  return `${parts.join('\n\n')}\n`;
}

function byRegionOrder(matrix: Matrix | undefined) {
  const order = new Map((matrix?.include ?? []).map((e, i) => [e.region, i]));
  return (a: PlanSummary, b: PlanSummary) =>
    (order.get(a.region) ?? 1e9) - (order.get(b.region) ?? 1e9) || a.region.localeCompare(b.region);
}

function regionLabel(code: string): string {
  const name = AWS_REGIONS.get(code)?.name;
  return name ? `\`${code}\` ${name}` : `\`${code}\``;
}

function trafficImpact(summaries: readonly PlanSummary[]): string[] {
  const hits = summaries.filter((s) => s.serving && s.critical.length > 0);
  if (!hits.length) return [];
  const lines = hits.map(
    (s) =>
      `> - ${regionLabel(s.region)}: ${s.critical.map((c) => `${c.action === 'replace' ? 'replaces' : 'destroys'} \`${c.address}\``).join(', ')}`,
  );
  return [
    [
      '> [!CAUTION]',
      '> **Traffic impact.** This change destroys or replaces resources that carry traffic in regions that still serve DNS. Users there lose the region until Route53 health checks fail them over to the next-nearest region.',
      ...lines,
    ].join('\n'),
  ];
}

function failures(summaries: readonly PlanSummary[], missing: readonly { region: string }[]): string[] {
  const failed = summaries.filter((s) => s.status === 'failed');
  if (!failed.length && !missing.length) return [];
  return [
    [
      '> [!WARNING]',
      `> **${failed.length + missing.length} region${failed.length + missing.length === 1 ? '' : 's'} without a plan.** What would change there is unknown; merging now would apply nothing there until a plan succeeds.`,
      ...failed.map((s) => `> - ${regionLabel(s.region)}: \`terraform ${s.error?.step ?? ''}\` failed`),
      ...missing.map((m) => `> - ${regionLabel(m.region)}: no result (the job was cancelled or failed before planning)`),
    ].join('\n'),
  ];
}

function planTable(
  summaries: readonly PlanSummary[],
  missing: readonly { region: string; operation: string; reason: string }[],
  unplanned: string | undefined,
): string {
  const status = (s: PlanSummary) =>
    s.status === 'failed' ? `❌ failed at ${s.error?.step ?? '?'}` : s.status === 'no-changes' ? '✅ no changes' : '✅ planned';
  const count = (s: PlanSummary, a: Action) => (s.status === 'failed' ? '–' : String(s.counts[a]));
  return [
    '| Region | Operation | Why | Add | Change | Destroy | Replace | Status |',
    '|---|---|---|--:|--:|--:|--:|---|',
    ...summaries.map(
      (s) =>
        `| ${regionLabel(s.region)} | ${s.operation === 'destroy' ? '🗑️ destroy' : 'plan'} | ${escapeCell(s.reason || '–')} | ${count(s, 'create')} | ${count(s, 'update')} | ${count(s, 'delete')} | ${count(s, 'replace')} | ${status(s)} |`,
    ),
    ...missing.map(
      (m) =>
        `| ${regionLabel(m.region)} | ${m.operation === 'destroy' ? '🗑️ destroy' : 'plan'} | ${escapeCell(m.reason || '–')} | – | – | – | – | ${unplanned ? `⏸️ ${escapeCell(unplanned)}` : '⏳ no result'} |`,
    ),
  ].join('\n');
}

function destroys(summaries: readonly PlanSummary[]): string[] {
  const lines = summaries.flatMap((s) => {
    const out: string[] = [];
    if (s.counts.delete)
      out.push(
        `> - ${regionLabel(s.region)}${s.operation === 'destroy' ? ` (${s.reason || 'destroy'}; its DNS records are drained first)` : ''}: destroys ${s.counts.delete} resource${s.counts.delete === 1 ? '' : 's'}`,
      );
    if (s.counts.replace)
      out.push(
        `> - ${regionLabel(s.region)}: replaces ${s.resources.replace
          .slice(0, 5)
          .map((a) => `\`${a}\``)
          .join(', ')}${s.counts.replace > 5 ? ` and ${s.counts.replace - 5} more` : ''}`,
      );
    return out;
  });
  return lines.length ? [['> [!WARNING]', '> **Destroys and replacements.** Read these before merging.', ...lines].join('\n')] : [];
}

function regionDetails(summary: PlanSummary, listCap: number, planText: string): string {
  const { create, update, delete: del, replace } = summary.counts;
  const head =
    summary.status === 'failed'
      ? `❌ ${summary.operation} failed at terraform ${summary.error?.step ?? ''}`
      : summary.status === 'no-changes'
        ? 'no changes'
        : `${create} to add, ${update} to change, ${del} to destroy, ${replace} to replace`;
  const body: string[] = [];
  if (summary.error) body.push(codeBlock(summary.error.message, 'text'));
  for (const action of ACTIONS) {
    const addresses = summary.resources[action];
    if (!addresses.length || listCap === 0) continue;
    const shown = addresses
      .slice(0, listCap)
      .map((a) => `\`${a}\``)
      .join(', ');
    body.push(`**${ACTION_WORDS[action]}:** ${shown}${addresses.length > listCap ? ` and ${addresses.length - listCap} more` : ''}`);
  }
  if (summary.drift.length) {
    body.push(
      `**Changed outside Terraform:** ${summary.drift
        .slice(0, Math.min(listCap, 20))
        .map((d) => `\`${d.address}\` (${d.actions.join(', ')})`)
        .join(', ')}${summary.drift.length > Math.min(listCap, 20) ? ` and ${summary.drift.length - Math.min(listCap, 20)} more` : ''}`,
    );
  }
  if (planText) body.push(codeBlock(planText, 'diff'));
  return `<details><summary><b>${summary.region}</b>: ${head}</summary>\n\n${body.join('\n\n')}\n\n</details>`;
}

function footer(input: CommentInput): string {
  const bits = [
    input.commit ? `Planned at ${input.commit}` : undefined,
    input.fullPlans ? `whole plans: ${input.fullPlans}` : undefined,
  ].filter(Boolean);
  return `<sub>${bits.length ? `${bits.join(' · ')} · ` : ''}updated on every push</sub>`;
}

/** A fence longer than any run of backticks inside, so the text cannot close it. */
function fenceFor(text: string): string {
  let longest = 2;
  for (const m of text.matchAll(/`{3,}/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(longest + 1);
}

function codeBlock(text: string, lang: string, fence = fenceFor(text)): string {
  return `${fence}${lang}\n${text}\n${fence}`;
}

/**
 * Terraform's plan text with each line's action sign moved to the first column, so GitHub's diff
 * highlighting colours it: + create, - destroy, ! update or replace.
 */
export function diffLines(planText: string): string {
  return planText
    .split('\n')
    .map((line) => {
      const m = /^(\s*)(-\/\+|\+\/-|[-+~])(\s.*)?$/.exec(line);
      if (!m) return line;
      const sign = m[2] === '+' ? '+' : m[2] === '-' ? '-' : '!';
      return `${sign}${m[1] ?? ''}${m[3] ?? ''}`;
    })
    .join('\n');
}

/**
 * Max-min fair shares of `budget` among texts that need `needs`: no text gets more than it needs,
 * and what a short text leaves over goes to the longer ones in equal parts.
 */
export function fairShares(needs: readonly number[], budget: number): number[] {
  const order = needs.map((need, i) => ({ i, need })).sort((a, b) => a.need - b.need);
  const shares = new Array<number>(needs.length).fill(0);
  let left = Math.max(0, budget);
  order.forEach(({ i, need }, k) => {
    const share = Math.min(need, Math.floor(left / (order.length - k)));
    shares[i] = share;
    left -= share;
  });
  return shares;
}

/** A plan already in diff form, cut at a line end to fit `share`, saying how much was cut and where the rest is. */
function cutPlan(text: string, share: number, fullPlans: string | undefined): string {
  if (text.length <= share) return text;
  const note = (n: number) => `\n… ${n} more lines cut to fit the comment${fullPlans ? `; the whole plan is in ${fullPlans}` : ''}`;
  const room = share - note(text.length).length;
  if (room <= 0) return '';
  const kept = text.slice(0, room);
  const lastBreak = kept.lastIndexOf('\n');
  const head = lastBreak > 0 ? kept.slice(0, lastBreak) : kept;
  return `${head}${note(countLines(text) - countLines(head))}`;
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function hardCut(text: string, limit: number, measure: (t: string) => number): string {
  const tail = '\n\n<sub>Cut to fit GitHub’s limit.</sub>\n';
  let end = Math.min(text.length, limit);
  while (end > 0 && measure(text.slice(0, end) + tail) > limit)
    end -= Math.max(1, Math.ceil((measure(text.slice(0, end) + tail) - limit) / 2));
  return text.slice(0, end) + tail;
}

/**
 * A body made from a fork's data, with its @-mentions defused (a zero-width space after the @), so
 * that posting it cannot ping people or teams.
 */
export function neutralizeMentions(body: string): string {
  return body.replace(/(^|[^\w`])@(?=[A-Za-z0-9])/g, '$1@\u200b');
}
