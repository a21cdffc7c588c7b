// Small builders for region files as YAML text, so that each test shows the lines it is about.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FILE_NAMES, loadConfig, type LoadResult } from '../src/core/config.js';
import type { FileKind } from '../src/core/schema.js';

export const TODAY = '2026-11-25';

export const CDN_YAML = `cdn:
  owner_id: kubecdn-test
  zone_id: Z0TEST
  zone_name: example.com
  hostnames: [cdn.example.com]
  origin:
    url: https://origin.example.com
`;

/** One region entry as YAML lines, indented for a `regions:` list. */
export function region(code: string, options: { cidr?: string; version?: string; enabled?: boolean; extra?: string } = {}): string {
  const lines = [
    `  - region: ${code}`,
    ...(options.enabled === undefined ? [] : [`    enabled: ${String(options.enabled)}`]),
    `    cluster:`,
    `      kubernetes_version: "${options.version ?? '1.35'}"`,
    ...(options.cidr ? [`      vpc_cidr: ${options.cidr}`] : []),
    `      node_groups:`,
    `        - name: edge`,
    `          instance_types: [c7i.large]`,
    `          capacity_type: ON_DEMAND`,
    `          max_size: 6`,
    `    edge:`,
    `      min_replicas: 2`,
    `      max_replicas: 8`,
    `      cache_size: 10Gi`,
  ];
  return `${lines.join('\n')}\n${options.extra ?? ''}`;
}

export interface Files {
  alwaysOn?: string;
  scalable?: string;
  cdn?: string;
}

export const VALID: Required<Files> = {
  alwaysOn: `regions:\n${region('us-east-1')}`,
  scalable: `regions:\n${region('eu-west-1', { enabled: true })}`,
  cdn: CDN_YAML,
};

/** Loads files given as text, as if they stood in regions/. Unset files take the valid defaults. */
export function load(files: Files, options: { omit?: FileKind[]; today?: string } = {}): LoadResult {
  const all = { ...VALID, ...files };
  const texts: Record<FileKind, string> = { 'always-on': all.alwaysOn, scalable: all.scalable, cdn: all.cdn };
  const sources = Object.fromEntries(
    (Object.keys(texts) as FileKind[])
      .filter((kind) => !options.omit?.includes(kind))
      .map((kind) => [kind, { path: `regions/${FILE_NAMES[kind]}`, text: texts[kind] }]),
  );
  return loadConfig(sources, { today: options.today ?? TODAY });
}

/** Each problem as `file:line:column rule message`, the shortest form a test can assert exactly. */
export function findings(result: LoadResult): string[] {
  return result.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.rule} ${p.message}`);
}

/** Writes files into a fresh directory and returns it, for tests of the CLI and the action. */
export function regionDir(files: Files): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-'));
  const all = { ...VALID, ...files };
  writeFileSync(path.join(dir, 'always-on.yaml'), all.alwaysOn);
  writeFileSync(path.join(dir, 'scalable.yaml'), all.scalable);
  writeFileSync(path.join(dir, 'cdn.yaml'), all.cdn);
  return dir;
}
