// The autoscale decisions as the terminal, scripts (JSON) and the pull request (Markdown) see them.
import type { Decision, Evidence, LatencyChange } from './autoscale.js';
import { costFigure, type CostDelta } from './autoscale-cost.js';
import { deltaText, usd } from './cost/render.js';
import { escapeCell } from './render.js';

export interface AutoscaleReport {
  /** Evaluation time, RFC 3339. */
  readonly at: string;
  readonly cooldown: string;
  readonly maxChanges: number;
  /** cdn.yaml's budget.monthly_usd, when set. */
  readonly budget?: number;
  readonly decisions: readonly Decision[];
}

const num = (v: number | null) => (v === null ? '–' : String(v >= 100 ? Math.round(v) : Number(v.toFixed(1))));
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : '–');

function evidenceText(e: Evidence): string {
  const verb = e.observed === 'min' ? 'lowest' : 'highest';
  const cmp = e.observed === 'min' ? '>' : '<';
  const needed = e.threshold === null ? '' : ` (${cmp} ${e.threshold} needed)`;
  return `${verb} ${num(e.value)} req/s over ${e.windowMinutes} min${needed}, ${e.samples}/${e.expectedSamples} samples`;
}

/**
 * "+$120.45 to +$240.90 a month"; with a price missing, "at least +$311.38 a month" for an enable
 * and "saves at least $311.38 a month" for a disable; "cost unknown" when nothing is known.
 */
export function costText(c: CostDelta): string {
  if ('unknown' in c) return 'cost unknown';
  return `${deltaText(costFigure(c))} a month`;
}

const latencyText = (l: LatencyChange) => `p50 ${ms(l.p50Before)} → ${ms(l.p50After)}, p95 ${ms(l.p95Before)} → ${ms(l.p95After)}`;

export function autoscaleToText(report: AutoscaleReport): string {
  const width = Math.max(6, ...report.decisions.map((d) => d.region.length));
  const lines = [
    `autoscale at ${report.at} (cooldown ${report.cooldown}, at most ${report.maxChanges} change${report.maxChanges === 1 ? '' : 's'})`,
  ];
  for (const d of report.decisions) {
    const state = d.tier === 'always-on' ? 'always-on' : d.serving ? 'enabled' : 'disabled';
    lines.push(`${d.region.padEnd(width)}  ${state.padEnd(9)}  ${d.action.padEnd(7)}  ${d.reason}`);
    if (d.evidence && d.action !== 'keep') lines.push(`${''.padEnd(width)}  ${''.padEnd(9)}  ${''.padEnd(7)}  ${evidenceText(d.evidence)}`);
    if (d.latency) lines.push(`${''.padEnd(width)}  ${''.padEnd(9)}  ${''.padEnd(7)}  modelled latency: ${latencyText(d.latency)}`);
    if (d.cost) lines.push(`${''.padEnd(width)}  ${''.padEnd(9)}  ${''.padEnd(7)}  cost: ${costText(d.cost)}`);
  }
  if (report.budget !== undefined) lines.push(`budget: ${usd(report.budget)} a month (cdn.yaml)`);
  return lines.join('\n');
}

export function autoscaleToJson(report: AutoscaleReport): object {
  return {
    at: report.at,
    cooldown: report.cooldown,
    max_changes: report.maxChanges,
    ...(report.budget !== undefined ? { budget_monthly_usd: report.budget } : {}),
    decisions: report.decisions,
  };
}

/** The pull request's body: what changes, the evidence for each region, and what users would see. */
export function autoscaleToMarkdown(report: AutoscaleReport): string {
  const changed = report.decisions.filter((d) => d.action !== 'keep');
  const out = [
    changed.length
      ? `Autoscale proposes ${changed.map((d) => `to **${d.action}** \`${d.region}\``).join(', ')}, from the demand of the users nearest each region, measured up to ${report.at}.`
      : `Autoscale proposes no change at ${report.at}.`,
    '',
    'Merging this pull request is the decision: plan and apply run as for any change of the region files.',
    '',
    '| Region | Now | Action | Demand over the window | Threshold | Samples | Modelled latency (p50, p95) | Cost | Why |',
    '|---|---|---|--:|--:|--:|---|--:|---|',
  ];
  for (const d of report.decisions) {
    const e = d.evidence;
    const state = d.tier === 'always-on' ? 'always-on' : d.serving ? 'enabled' : 'disabled';
    out.push(
      `| \`${d.region}\` | ${state} | ${d.action === 'keep' ? 'keep' : `**${d.action}**`} | ${e ? `${e.observed} ${num(e.value)} req/s over ${e.windowMinutes} min` : '–'} | ${e && e.threshold !== null ? `${e.observed === 'min' ? '>' : '<'} ${e.threshold} req/s` : '–'} | ${e ? `${e.samples}/${e.expectedSamples}` : '–'} | ${d.latency ? escapeCell(latencyText(d.latency)) : '–'} | ${d.cost ? escapeCell(costText(d.cost)) : '–'} | ${escapeCell(d.reason)} |`,
    );
  }
  out.push(
    '',
    `Cooldown ${report.cooldown} after a region's \`enabled\` last changed; at most ${report.maxChanges} change${report.maxChanges === 1 ? '' : 's'} per run. ` +
      'Demand is `sum by (near) (rate(kubecdn_requests_total[2m]))`: requests per second from the clients nearest each region, counted by every edge; ' +
      'a minute counts only when the edges of every serving region were counted.',
    '',
    report.budget !== undefined
      ? `Cost: the CDN's monthly change, nodes at their minimum to their maximum (kubecdn cost), a bound where a price is missing; enables together must keep the CDN within the budget of ${usd(report.budget)} a month.`
      : "Cost: the CDN's monthly change, nodes at their minimum to their maximum (kubecdn cost), a bound where a price is missing; no budget is set in cdn.yaml.",
  );
  return out.join('\n');
}
