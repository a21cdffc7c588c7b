// The DNS a change would add or remove, from the region files alone: no credentials, no zone.
// Targets are not known before the stacks are applied, so records are compared by identity
// (hostname, type, region); a changed load balancer shows only after merge, in sync-dns's plan.
import type { Config } from '../config.js';
import { escapeCell } from '../render.js';
import { desiredState } from './desired.js';

export interface DnsDiffEntry {
  readonly action: 'add' | 'remove';
  readonly hostname: string;
  readonly type: string;
  readonly region: string;
}

function identities(config: Config | undefined): Map<string, Omit<DnsDiffEntry, 'action'>> {
  if (!config) return new Map();
  const targets = Object.fromEntries(config.regions.map((r) => [r.region, { dnsName: `edge.${r.region}.invalid`, hostedZoneId: 'Z0' }]));
  const records = desiredState({ config, targets }).records.filter((r) => r.type !== 'TXT');
  return new Map(
    records.map((r) => [
      `${r.name}|${r.type}|${r.region ?? ''}`,
      { hostname: r.name.replace(/\.$/, ''), type: r.type, region: r.region ?? '' },
    ]),
  );
}

export function dnsDiff(base: Config | undefined, head: Config): DnsDiffEntry[] {
  const before = identities(base);
  const after = identities(head);
  return [
    ...[...before].filter(([k]) => !after.has(k)).map(([, e]) => ({ action: 'remove' as const, ...e })),
    ...[...after].filter(([k]) => !before.has(k)).map(([, e]) => ({ action: 'add' as const, ...e })),
  ];
}

export function dnsDiffToMarkdown(entries: readonly DnsDiffEntry[]): string {
  if (!entries.length) return 'No latency record is added or removed.';
  return [
    '| Change | Hostname | Type | Region |',
    '|---|---|---|---|',
    ...entries.map(
      (e) => `| ${e.action === 'add' ? '➕ add' : '➖ remove'} | \`${escapeCell(e.hostname)}\` | ${e.type} | \`${e.region}\` |`,
    ),
  ].join('\n');
}

export function dnsDiffToText(entries: readonly DnsDiffEntry[]): string {
  if (!entries.length) return 'no latency record is added or removed';
  return entries.map((e) => `${e.action === 'add' ? '+' : '-'} ${e.hostname} ${e.type} ${e.region}`).join('\n');
}
