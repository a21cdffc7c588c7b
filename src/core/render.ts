// Problems and regions as people read them: terminal text, JSON, Markdown, and annotations.
import { AWS_REGIONS, SERVING_PARTITION } from './aws-regions.js';
import { regionCapacity } from './capacity.js';
import type { Config, Region } from './config.js';
import { isError, type Problem } from './problems.js';

/** Colour functions; identity functions where the output is not a terminal. */
export interface Style {
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly green: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

export const plain: Style = { red: (s) => s, yellow: (s) => s, green: (s) => s, dim: (s) => s, bold: (s) => s };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function countProblems(problems: readonly Problem[]): { errors: number; warnings: number } {
  const errors = problems.filter(isError).length;
  return { errors, warnings: problems.length - errors };
}

/** `regions/scalable.yaml:14:7  error  message  (rule)` with the hint beneath, then a count. */
export function problemsToText(problems: readonly Problem[], style: Style = plain): string {
  const lines = problems.flatMap((p) => [
    `${style.bold(`${p.file}:${p.line}:${p.column}`)}  ${p.severity === 'error' ? style.red('error') : style.yellow('warning')}  ${p.message}  ${style.dim(`(${p.rule})`)}`,
    ...(p.hint ? [`    ${style.dim(p.hint)}`] : []),
  ]);
  const { errors, warnings } = countProblems(problems);
  const summary =
    errors > 0
      ? style.red(`${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''}`)
      : warnings > 0
        ? style.yellow(`valid, with ${plural(warnings, 'warning')}`)
        : style.green('valid');
  return [...lines, ...(lines.length ? [''] : []), summary].join('\n');
}

export interface ProblemJson {
  file: string;
  line: number;
  column: number;
  message: string;
  rule: string;
  hint?: string;
}

export function problemsToJson(problems: readonly Problem[]): { ok: boolean; errors: ProblemJson[]; warnings: ProblemJson[] } {
  const shape = ({ file, line, column, message, rule, hint }: Problem): ProblemJson => ({
    file,
    line,
    column,
    message,
    rule,
    ...(hint ? { hint } : {}),
  });
  return {
    ok: !problems.some(isError),
    errors: problems.filter(isError).map(shape),
    warnings: problems.filter((p) => !isError(p)).map(shape),
  };
}

export interface Annotation {
  readonly level: 'error' | 'warning';
  readonly message: string;
  readonly properties: { title: string; file: string; startLine: number; startColumn: number };
}

/** One annotation a problem, for the workflow-command form GitHub shows on the diff line. */
export function problemsToAnnotations(problems: readonly Problem[]): Annotation[] {
  return problems.map((p) => ({
    level: p.severity,
    message: p.hint ? `${p.message}\n${p.hint}` : p.message,
    properties: { title: `kubecdn ${p.rule}`, file: p.file, startLine: p.line, startColumn: p.column },
  }));
}

export function problemsToMarkdown(problems: readonly Problem[]): string {
  if (problems.length === 0) return '✅ The region files are valid.';
  const { errors, warnings } = countProblems(problems);
  const head = errors
    ? `❌ ${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''} in the region files.`
    : `⚠️ Valid, with ${plural(warnings, 'warning')}.`;
  const rows = problems.map(
    (p) =>
      `| ${p.severity === 'error' ? '❌' : '⚠️'} | \`${p.file}:${p.line}:${p.column}\` | ${escapeCell(p.message)}${p.hint ? `<br>${escapeCell(p.hint)}` : ''} | \`${p.rule}\` |`,
  );
  return [head, '', '| | Where | Problem | Rule |', '|---|---|---|---|', ...rows].join('\n');
}

export function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

interface RegionRow {
  region: string;
  name: string;
  tier: string;
  serving: string;
  kubernetes: string;
  nodes: string;
  edge: string;
  defined: string;
}

function regionRow(r: Region): RegionRow {
  // Auto Mode makes nodes as the edge's pods need them: the region files say only how far it may go.
  const { maxNodes } = regionCapacity(r);
  return {
    region: r.region,
    name: r.name,
    tier: r.tier,
    serving: r.serving ? 'yes' : 'no',
    kubernetes: r.spec.cluster.kubernetes_version,
    nodes: `≤${maxNodes}`,
    edge: `${r.spec.edge.min_replicas}-${r.spec.edge.max_replicas} × ${r.spec.edge.cache_size}`,
    defined: `${r.file}:${r.line}`,
  };
}

const headers: RegionRow = {
  region: 'REGION',
  name: 'NAME',
  tier: 'TIER',
  serving: 'SERVING',
  kubernetes: 'K8S',
  nodes: 'NODES',
  edge: 'EDGE PODS × CACHE',
  defined: 'DEFINED AT',
};

export function regionsToText(config: Config, style: Style = plain): string {
  const rows = config.regions.map(regionRow);
  const keys = Object.keys(headers) as (keyof RegionRow)[];
  const width = (k: keyof RegionRow) => Math.max(headers[k].length, ...rows.map((r) => r[k].length));
  const line = (r: RegionRow, paint: (s: string) => string = (s) => s) =>
    keys
      .map((k) => paint(r[k].padEnd(width(k))))
      .join('  ')
      .trimEnd();
  const serving = config.regions.filter((r) => r.serving).length;
  return [
    style.bold(line(headers)),
    ...rows.map((r) => line(r, r.serving === 'yes' ? (s) => s : style.dim)),
    '',
    `${plural(serving, 'region')} serving of ${config.regions.length}; ${config.cdn.hostnames.join(', ')} in zone ${config.cdn.zone_name}`,
  ].join('\n');
}

export function regionsToMarkdown(config: Config): string {
  const rows = config.regions.map(regionRow);
  return [
    '| Region | Tier | Serving | Kubernetes | Nodes | Edge pods × cache |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| \`${r.region}\` ${r.name} | ${r.tier} | ${r.serving === 'yes' ? '🟢 yes' : '⚪ no'} | ${r.kubernetes} | ${r.nodes} | ${r.edge} |`,
    ),
  ].join('\n');
}

export function regionsToJson(config: Config): object[] {
  return config.regions.map((r) => ({
    ...r.spec,
    name: r.name,
    tier: r.tier,
    serving: r.serving,
    file: r.file,
    line: r.line,
  }));
}

/** The AWS regions kubeCDN can serve from, and which of them the configuration uses. */
/** The AWS regions kubeCDN can serve from (the serving partition), and how each is used here. */
export function awsRegionsToJson(config: Config | undefined): { region: string; name: string; used_as: string | null }[] {
  const used = new Map(config?.regions.map((r) => [r.region, r]) ?? []);
  return [...AWS_REGIONS.values()]
    .filter((r) => r.partition === SERVING_PARTITION)
    .map((r) => {
      const mine = used.get(r.code);
      return { region: r.code, name: r.name, used_as: mine ? `${mine.tier}${mine.serving ? '' : ' (off)'}` : null };
    });
}

export function awsRegionsToText(config: Config | undefined): string {
  const rows = awsRegionsToJson(config).map((r) => [r.region, r.name, r.used_as ?? '']);
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length), 6));
  return [['REGION', 'NAME', 'USED AS'], ...rows]
    .map((r) =>
      r
        .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
