// What a purge tells people: one line per region as it ends, and the job summary's record of who
// purged what, why, and per region how many pods confirmed.
import type { PurgeReport, PurgeTarget, RegionOutcome } from './purge.js';

export function describeTarget(target: PurgeTarget): string {
  if (target.kind === 'everything') return target.hostname ? `everything of ${target.hostname}` : 'everything';
  return target.urls.length === 1 ? (target.urls[0]?.url ?? '') : `${target.urls.length} URLs`;
}

/** Every pod that was running confirmed, or is gone with its cache; a region with no running pod is not complete either. */
export function regionComplete(outcome: RegionOutcome): boolean {
  const confirmed = new Set(outcome.pods.filter((p) => p.ok || p.gone).map((p) => p.pod));
  return !outcome.error && outcome.running.length > 0 && outcome.running.every((p) => confirmed.has(p));
}

const confirmedCount = (r: RegionOutcome) => r.pods.filter((p) => p.ok).length;

function removedText(r: RegionOutcome): string {
  const counts = r.pods.filter((p) => p.ok).map((p) => p.removed);
  if (counts.length === 0) return '';
  const total = counts.reduce<number>((a, c) => a + (c ?? 0), 0);
  return `, ${total} cache file${total === 1 ? '' : 's'} removed`;
}

/** Pods that failed because they ended during the purge: their caches went with them. */
function goneText(r: RegionOutcome): string {
  const gone = r.pods.filter((p) => p.gone).length;
  if (gone === 0) return '';
  return gone === 1 ? '1 gone during the purge, its cache with it' : `${String(gone)} gone during the purge, their caches with them`;
}

export function regionLine(r: RegionOutcome): string {
  const ok = regionComplete(r);
  const failures = r.error ? [r.error] : r.pods.filter((p) => !p.ok && !p.gone).map((p) => `${p.pod}: ${p.error ?? 'no answer'}`);
  if (!r.error && r.running.length === 0) failures.push('no edge pod is running');
  return `${ok ? '✓' : '✗'} ${r.region}: ${confirmedCount(r)} of ${r.running.length} pods confirmed${removedText(r)}${goneText(r) ? `, ${goneText(r)}` : ''}${
    ok ? '' : ` (INCOMPLETE: ${failures.join('; ')})`
  }`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The job summary: who purged what, why, and per region how many pods confirmed. */
export function purgeMarkdown(report: PurgeReport): string {
  const lines = [
    `## Purge of ${describeTarget(report.target)}: ${report.ok ? 'done' : 'INCOMPLETE'}`,
    '',
    '| | |',
    '|---|---|',
    `| who | ${cell(report.actor)} |`,
    `| what | ${cell(describeTarget(report.target))} |`,
    `| why | ${cell(report.reason)} |`,
    `| started | ${report.startedAt} |`,
    `| finished | ${report.finishedAt} |`,
    '',
    '| region | pods running | pods confirmed | |',
    '|---|---:|---:|---|',
    ...report.regions.map(
      (r) =>
        `| ${r.region} | ${r.running.length} | ${confirmedCount(r)} | ${
          regionComplete(r)
            ? `✅${goneText(r) ? ` ${goneText(r)}` : ''}`
            : `❌ ${cell(regionLine(r).replace(/^.*\(INCOMPLETE: (.*)\)$/, '$1'))}`
        } |`,
    ),
  ];
  if (report.target.kind === 'urls') lines.push('', '### URLs', '', ...report.target.urls.map((u) => `- ${u.url}`));
  if (!report.ok)
    lines.push('', '**Not every pod confirmed.** Those pods may still serve the old copy. Run the purge again: it is safe to repeat.');
  return `${lines.join('\n')}\n`;
}
