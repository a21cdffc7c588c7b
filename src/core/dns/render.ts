// A DNS plan as people read it: a table in the terminal, JSON, and Markdown for the pull request.
import { escapeCell, plain, type Style } from '../render.js';
import { isEmpty, type DnsPlan, type Unit } from './plan.js';

function target(unit: Unit): string {
  const record = unit.after ?? unit.before;
  if (!record) return '';
  if (record.aliasTarget) return `alias ${record.aliasTarget.dnsName.replace(/\.$/, '')}`;
  return (record.values ?? []).join(' ');
}

function counts(plan: DnsPlan): string {
  const n = (kind: Unit['kind']) => plan.units.filter((u) => u.kind === kind).length;
  const hc = plan.healthChecks;
  const parts = [
    `${n('create')} to create`,
    `${n('update')} to update`,
    `${n('replace')} to replace`,
    `${n('delete')} to delete`,
    ...(n('adopt') ? [`${n('adopt')} to adopt`] : []),
  ];
  const checks = hc.create.length + hc.update.length + hc.delete.length + hc.tag.length;
  return `${parts.join(', ')}${checks ? `; health checks: ${hc.create.length} to create, ${hc.update.length} to update, ${hc.delete.length} to delete${hc.tag.length ? `, ${hc.tag.length} to tag` : ''}` : ''}`;
}

export function dnsPlanToText(plan: DnsPlan, style: Style = plain): string {
  const lines: string[] = [`DNS: ${counts(plan)}`];
  if (plan.units.length) {
    const rows = plan.units.map((u) => [u.kind, u.hostname, u.type, u.region, target(u)]);
    const head = ['ACTION', 'HOSTNAME', 'TYPE', 'REGION', 'TARGET'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const fmt = (r: string[]) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd();
    lines.push(style.bold(fmt(head)), ...rows.map((r) => (r[0] === 'delete' ? style.red(fmt(r)) : fmt(r))));
  }
  for (const hc of plan.healthChecks.create)
    lines.push(`health check: create for ${hc.region}, ${hc.protocol} ${hc.fqdn}:${hc.port}${hc.path} every ${hc.interval}s`);
  for (const hc of plan.healthChecks.update) lines.push(`health check: update ${hc.id} (${hc.spec.region}): ${hc.fields.join(', ')}`);
  for (const hc of plan.healthChecks.delete) lines.push(`health check: delete ${hc.id} (${hc.region})`);
  for (const hc of plan.healthChecks.tag)
    lines.push(`health check: tag ${hc.id} (${hc.region}), made by a run that stopped before tagging it`);
  if (plan.untouched.length) lines.push(style.dim(`left as they are, with no load-balancer target this run: ${plan.untouched.join(', ')}`));
  if (plan.batches.length) lines.push(style.dim(`${plan.batches.length} change batch${plan.batches.length === 1 ? '' : 'es'}`));
  for (const r of plan.refusals) lines.push(style.red(`refused: ${r}`));
  for (const g of plan.guards) lines.push(style.yellow(`refused unless --force: ${g}`));
  for (const c of plan.conflicts) lines.push(style.red(`conflict, never changed: ${c}`));
  if (plan.legacyChecks.length) lines.push(style.dim(legacyLine(plan)));
  return lines.join('\n');
}

export function dnsPlanToJson(plan: DnsPlan): object {
  return {
    changes: plan.units.map((u) => ({ action: u.kind, hostname: u.hostname, type: u.type, region: u.region, target: target(u) })),
    healthChecks: plan.healthChecks,
    batches: plan.batches.length,
    untouched: plan.untouched,
    refusals: plan.refusals,
    guards: plan.guards,
    conflicts: plan.conflicts,
    legacyChecks: plan.legacyChecks,
  };
}

export function dnsPlanToMarkdown(plan: DnsPlan): string {
  const out: string[] = [];
  for (const r of plan.refusals) out.push(`> [!CAUTION]\n> Refused: ${escapeCell(r)}`);
  for (const c of plan.conflicts) out.push(`> [!CAUTION]\n> Left as it is: ${escapeCell(c)}`);
  for (const g of plan.guards) out.push(`> [!WARNING]\n> Refused unless forced: ${escapeCell(g)}`);
  if (isEmpty(plan)) {
    out.push('No DNS change.');
  } else {
    out.push(counts(plan));
    if (plan.units.length) {
      out.push(
        [
          '| Action | Hostname | Type | Region | Target |',
          '|---|---|---|---|---|',
          ...plan.units.map(
            (u) =>
              `| ${u.kind === 'delete' ? '🗑️ delete' : u.kind} | \`${u.hostname}\` | ${u.type} | \`${u.region}\` | ${escapeCell(target(u))} |`,
          ),
        ].join('\n'),
      );
    }
  }
  if (plan.untouched.length) out.push(`<sub>Left as they are, with no load-balancer target this run: ${plan.untouched.join(', ')}.</sub>`);
  if (plan.legacyChecks.length) out.push(`<sub>${escapeCell(legacyLine(plan))}.</sub>`);
  return out.join('\n\n');
}

/**
 * One line on what was applied. A batch recovered after a lost response was found in the zone but
 * has no change id to await, so it is never said to be INSYNC.
 */
export function appliedLine(applied: { readonly changes: number; readonly batches: number; readonly recovered: number }): string {
  const batches = `${applied.batches} batch${applied.batches === 1 ? '' : 'es'}`;
  const confirmed = applied.recovered
    ? `${applied.recovered} batch${applied.recovered === 1 ? '' : 'es'} not confirmed INSYNC (committed, found in the zone after a lost response; Route53 usually serves a change within 60 s)`
    : 'all INSYNC';
  return `${applied.changes} changes in ${batches}, ${confirmed}`;
}

function legacyLine(plan: DnsPlan): string {
  return `health checks of an earlier version, left for you to delete once no record uses them: ${plan.legacyChecks.map((c) => `${c.id} (${c.region})`).join(', ')}`;
}
