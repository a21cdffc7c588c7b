// Costs as people read them: the terminal, JSON, the comment's short table, and the line that
// ranks switched-off regions by the latency each dollar buys. Every figure says what it assumed.
import type { Candidate, LatencyImpact } from '../latency/impact.js';
import { escapeCell, plain, type Style } from '../render.js';
import type { Figure } from './bound.js';
import type { Assumptions, CdnCost, CostChange, CostPart, RegionCost, RegionDelta } from './model.js';
import type { MissingPriceError } from './prices.js';

/** "$1,480" from a thousand up, "$498.67" below. */
export function usd(v: number): string {
  if (!Number.isFinite(v)) return 'unknown';
  const abs = Math.abs(v);
  const text = abs < 1000 ? abs.toFixed(2) : Math.round(abs).toLocaleString('en-US');
  return `${v < 0 ? '−' : ''}$${text}`;
}

/** "+$1,480" or "−$12.34" or "±$0". */
export function signedUsd(v: number): string {
  if (!Number.isFinite(v)) return 'unknown';
  if (Math.abs(v) < 0.005) return '±$0';
  return `${v > 0 ? '+' : '−'}${usd(Math.abs(v))}`;
}

const range = (min: number, max: number, f: (v: number) => string = usd) =>
  !Number.isFinite(min) || !Number.isFinite(max) ? 'unknown' : Math.abs(max - min) < 0.005 ? f(min) : `${f(min)} to ${f(max)}`;

/** "at least $311.38", "at least $497.53 to at least $1,093": each end of a range bounded alike. */
const bounded = (words: string, min: number, max: number, f: (v: number) => string) =>
  Math.abs(max - min) < 0.005 ? `${words} ${f(min)}` : `${words} ${f(min)} to ${words} ${f(max)}`;

/** A monthly cost: "$X to $Y", "at least $X" (a price missing), or "unknown". */
export function figureText(f: Figure): string {
  if (f.bound === 'at-least') return bounded('at least', f.min, f.max, usd);
  if (f.bound === 'at-most') return bounded('at most', f.min, f.max, usd);
  return f.bound === 'exact' ? range(f.min, f.max) : 'unknown';
}

/**
 * A monthly change: "+$X to +$Y", "at least +$X", "saves at least $X", "at most +$X", "±$0 or
 * less", or "unknown". A negative lower bound reads as a saving, yet the change may cost more: it
 * says so. An upper bound of nothing at both ends (a spot pool shrinking) saves nothing for sure.
 */
export function deltaText(f: Figure): string {
  if (f.bound === 'at-least')
    return `${bounded('at least', f.min, f.max, signedUsd)}${Math.min(f.min, f.max) <= -0.005 ? ' (may cost more)' : ''}`;
  if (f.bound === 'at-most' && Math.abs(f.min) < 0.005 && Math.abs(f.max) < 0.005) return '±$0 or less';
  if (f.bound === 'at-most')
    return f.min <= 0 && f.max <= 0 ? bounded('saves at least', -f.min, -f.max, usd) : bounded('at most', f.min, f.max, signedUsd);
  return f.bound === 'exact' ? range(f.min, f.max, signedUsd) : 'unknown';
}

const missingCount = (n: number) => (n ? ` (${n} price${n === 1 ? '' : 's'} missing)` : '');

/** What every figure assumed, in one line. */
export function assumptionsLine(a: Assumptions): string {
  const t = a.traffic;
  return (
    `Assumed per serving region a month: ${t.gbOut.toLocaleString('en-US')} GB out, ${t.requests.toLocaleString('en-US')} requests${t.plainHttpShare ? ` (${(t.plainHttpShare * 100).toLocaleString('en-US')}% plain HTTP on port 80)` : ''}, ` +
    `${t.originGb.toLocaleString('en-US')} GB from the origin; ${t.dnsQueries.toLocaleString('en-US')} DNS queries for the CDN; ` +
    `${a.hoursPerMonth} hours a month; prices read ${a.pricesRead} (sources and their dates in the price table)` +
    (a.measured.length ? `; measured demand for ${a.measured.join(', ')}` : '') +
    '.'
  );
}

const missingLines = (missing: readonly MissingPriceError[]) => [...new Map(missing.map((m) => [`${m.region}: ${m.item}`, m])).keys()];

function state(cost: RegionCost | undefined): string {
  if (!cost) return 'absent';
  return cost.running ? 'on' : 'off';
}

function changeWord(d: RegionDelta): string {
  const b = state(d.before);
  const a = state(d.after);
  if (b === a) return 'changed';
  if (a === 'on') return b === 'absent' ? 'added, on' : 'on';
  if (b === 'on') return a === 'absent' ? 'removed' : 'off';
  return `${b} → ${a}`;
}

const regionRange = (c: RegionCost | undefined) => (c?.running ? figureText(c.figure) : '$0');

/** A part's figure: "$70.08 to $220.75", or "at most …" for one priced only from above (spot). */
const partRange = (p: CostPart) => (p.bound ? figureText({ bound: p.bound, min: p.min, max: p.max }) : range(p.min, p.max));

// ------------------------------------------------------------------------------------------------
// Terminal
// ------------------------------------------------------------------------------------------------

export function costChangeToText(change: CostChange, style: Style = plain): string {
  const out: string[] = [];
  const regions = change.after.regions.filter((r) => r.running);
  out.push(style.bold('Monthly cost per running region (minimum to maximum nodes)'));
  for (const r of regions) out.push(...regionToText(r, style));
  if (!regions.length) out.push('no region runs');
  for (const p of change.after.shared) out.push(`${p.item}: ${usd(p.min)}  ${style.dim(p.basis)}`);
  out.push('', style.bold('Change'));
  if (!change.changed.length) out.push('no region changes cost');
  for (const d of change.changed)
    out.push(
      `${d.region.padEnd(16)} ${changeWord(d).padEnd(10)} ${regionRange(d.before)} → ${regionRange(d.after)}  (${deltaText(d.figure)} a month)`,
    );
  out.push(
    '',
    `${style.bold('Total')}: ${change.before ? `${figureText(change.before.figure)} → ` : ''}${figureText(change.after.figure)} a month` +
      (change.before ? ` (${deltaText(change.figure)})` : ''),
  );
  const missing = missingLines([...change.after.missing, ...(change.before?.missing ?? [])]);
  if (missing.length)
    out.push(
      style.red(`prices missing, so the figures that need them are lower bounds ("at least") or unknown: ${missing.join('; ')}`),
      style.dim('run `kubecdn prices refresh` with AWS credentials'),
    );
  out.push(style.dim(assumptionsLine(change.after.assumptions)), ...change.after.assumptions.notes.map((n) => style.dim(`  ${n}`)));
  return out.join('\n');
}

function regionToText(r: RegionCost, style: Style): string[] {
  const total = `${figureText(r.figure)} a month${missingCount(r.missing.length)}`;
  const head = `${style.bold(r.region)}  ${r.missing.length ? style.red(total) : total}`;
  const width = Math.max(28, ...r.parts.map((p) => p.item.length), ...r.unpriced.map((u) => u.item.length));
  return [
    head,
    ...r.parts.map((p) => `  ${p.item.padEnd(width)} ${partRange(p).padStart(20)}  ${style.dim(p.basis)}`),
    ...r.unpriced.map((u) => `  ${u.item.padEnd(width)} ${style.red('missing'.padStart(20))}  ${style.red(u.missing.join(', '))}`),
  ];
}

// ------------------------------------------------------------------------------------------------
// JSON
// ------------------------------------------------------------------------------------------------

const num = (v: number) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : null);
const part = (p: CostPart) => ({ item: p.item, basis: p.basis, min: num(p.min), max: num(p.max), ...(p.bound ? { bound: p.bound } : {}) });
/**
 * A figure as JSON: `min` and `max` only when exact (else null, as an unknown figure always was),
 * `bound` saying what is known, and the bound itself under its own name.
 */
export function figureJson(f: Figure): object {
  const exact = f.bound === 'exact';
  const at = { min: num(f.min), max: num(f.max) };
  return {
    min: exact ? at.min : null,
    max: exact ? at.max : null,
    bound: f.bound,
    ...(f.bound === 'at-least' ? { at_least: at } : f.bound === 'at-most' ? { at_most: at } : {}),
  };
}
const regionJson = (r: RegionCost) => ({
  region: r.region,
  running: r.running,
  ...figureJson(r.figure),
  parts: r.parts.map(part),
  missing: r.missing.map((m) => ({ region: m.region, item: m.item, why: m.why })),
  unpriced: r.unpriced.map((u) => ({ item: u.item, missing: u.missing })),
});
const cdnJson = (c: CdnCost) => ({
  ...figureJson(c.figure),
  regions: c.regions.map(regionJson),
  shared: c.shared.map(part),
  missing: c.missing.map((m) => ({ region: m.region, item: m.item, why: m.why })),
});

export function costChangeToJson(change: CostChange): object {
  return {
    assumptions: change.after.assumptions,
    before: change.before ? cdnJson(change.before) : null,
    after: cdnJson(change.after),
    delta: figureJson(change.figure),
    changed: change.changed.map((d) => ({ region: d.region, change: changeWord(d), ...figureJson(d.figure) })),
  };
}

// ------------------------------------------------------------------------------------------------
// Markdown: the whole breakdown (kubecdn cost --format markdown) and the comment's short table
// ------------------------------------------------------------------------------------------------

export function costChangeToMarkdown(change: CostChange, latency?: LatencyImpact): string {
  const out = [costSectionMarkdown(change, latency)];
  // The breakdown of each region the change touches that runs after it; a few, to fit a comment.
  const touched = new Set(change.changed.map((d) => d.region));
  for (const r of change.after.regions.filter((x) => x.running && touched.has(x.region)).slice(0, 10)) {
    out.push(
      '',
      `<details><summary><b>${r.region}</b>: ${figureText(r.figure)} a month${missingCount(r.missing.length)}</summary>`,
      '',
      '| Part | Monthly | Basis |',
      '|---|--:|---|',
      ...r.parts.map((p) => `| ${escapeCell(p.item)} | ${partRange(p)} | ${escapeCell(p.basis)} |`),
      ...r.missing.map((m) => `| ${escapeCell(m.item)} | missing | ${escapeCell(m.why)} |`),
      '',
      '</details>',
    );
  }
  return out.join('\n');
}

/** The cost section of the plan comment: the changed regions, the total, the latency it buys, the assumptions. */
export function costSectionMarkdown(change: CostChange, latency?: LatencyImpact, options: { maxRows?: number } = {}): string {
  const maxRows = options.maxRows ?? 60;
  const rows = change.changed.slice(0, maxRows);
  const out: string[] = [];
  if (!rows.length) out.push('No region changes cost.');
  else
    out.push(
      '| Region | Change | Before | After | A month |',
      '|---|---|--:|--:|--:|',
      ...rows.map(
        (d) => `| \`${d.region}\` | ${changeWord(d)} | ${regionRange(d.before)} | ${regionRange(d.after)} | ${deltaText(d.figure)} |`,
      ),
    );
  if (change.changed.length > rows.length)
    out.push(`<sub>and ${change.changed.length - rows.length} more regions: \`kubecdn cost\` lists them.</sub>`);
  const buys = latency ? latencyBought(latency) : '';
  out.push(
    '',
    `**Total:** ${change.before ? `${figureText(change.before.figure)} → ` : ''}${figureText(change.after.figure)} a month` +
      `${change.before ? ` (${deltaText(change.figure)})` : ''}${buys ? `; ${buys}` : ''}.`,
  );
  const missing = missingLines([...change.after.missing, ...(change.before?.missing ?? [])]);
  if (missing.length)
    out.push(
      '',
      `> [!WARNING]\n> **Prices missing**, so the figures that need them are lower bounds ("at least") or unknown: ${escapeCell(missing.slice(0, 8).join('; '))}${missing.length > 8 ? ` and ${missing.length - 8} more` : ''}. \`kubecdn prices refresh\` rebuilds the table.`,
    );
  out.push('', `<sub>${escapeCell(assumptionsLine(change.after.assumptions))} Nodes from the minimum to the maximum count.</sub>`);
  return out.join('\n');
}

/** "p95 80 ms → 73 ms (−7 ms) for 4.2 bn people in cities". */
function latencyBought(latency: LatencyImpact): string {
  const { before, after } = latency;
  if (!Number.isFinite(before.p95) || !Number.isFinite(after.p95) || Math.round(before.p95) === Math.round(after.p95)) return '';
  const d = after.p95 - before.p95;
  return `p95 ${before.p95.toFixed(0)} ms → ${after.p95.toFixed(0)} ms (${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(0)} ms) for ${(after.population / 1e9).toFixed(1)} bn people`;
}

// ------------------------------------------------------------------------------------------------
// What the money buys: switched-off regions ranked by latency won per dollar
// ------------------------------------------------------------------------------------------------

export interface ValuedCandidate extends Candidate {
  /** The region's own monthly cost if switched on, minimum to maximum; NaN unless every price is there. */
  readonly min: number;
  readonly max: number;
  /** The same cost, or at least its priced parts when a price is missing. */
  readonly cost: Figure;
  /** Mean milliseconds saved per $1,000 a month at the minimum; NaN unless the cost is exact. */
  readonly msPerThousand: number;
}

/**
 * Switched-off regions ranked by the latency they would win per dollar (at their minimum cost);
 * those whose cost is not exact come last, by latency won: a lower bound on the cost ranks nothing.
 */
export function rankByValue(candidates: readonly Candidate[], costOn: (region: string) => Figure): ValuedCandidate[] {
  return candidates
    .map((c) => {
      const cost = costOn(c.region);
      const exact = cost.bound === 'exact';
      return {
        ...c,
        min: exact ? cost.min : NaN,
        max: exact ? cost.max : NaN,
        cost,
        msPerThousand: exact && cost.min > 0 ? (1000 * c.savedMs) / cost.min : NaN,
      };
    })
    .sort((a, b) => {
      const known = Number(Number.isFinite(b.msPerThousand)) - Number(Number.isFinite(a.msPerThousand));
      return (
        known ||
        (Number.isFinite(a.msPerThousand) ? b.msPerThousand - a.msPerThousand : b.savedMs - a.savedMs) ||
        a.region.localeCompare(b.region)
      );
    });
}

/**
 * The cost words the latency line gains: "+$1,480 to +$3,900 a month, 4.1 ms per $1,000"; with a
 * price missing, "at least +$311.38 a month as priced so far, at most 22.5 ms per $1,000".
 */
export function candidateCostWords(c: ValuedCandidate): string {
  if (c.cost.bound === 'exact') return `${deltaText(c.cost)} a month, ${c.msPerThousand.toFixed(1)} ms per $1,000`;
  if (c.cost.bound === 'at-most') {
    // Spot nodes at the on-demand price: the cost is at most the figure, the value at least.
    const least = c.cost.min > 0 ? `, at least ${((1000 * c.savedMs) / c.cost.min).toFixed(1)} ms per $1,000` : '';
    return `${deltaText(c.cost)} a month${least}`;
  }
  if (c.cost.bound !== 'at-least') return 'cost unknown: prices missing';
  const most = c.cost.min > 0 ? `, at most ${((1000 * c.savedMs) / c.cost.min).toFixed(1)} ms per $1,000` : '';
  return `${deltaText(c.cost)} a month as priced so far${most}`;
}
