// Which regions a change touches, judged on meaning: the parsed region files at base and head,
// and the paths the change touches under the stack and the manifests.
import type { Config, Region } from './config.js';

export type Operation = 'plan' | 'destroy';

export interface MatrixEntry {
  readonly region: string;
  readonly operation: Operation;
  /** Why the region is in the matrix, for people: "added", "cluster.kubernetes_version changed". */
  readonly reason: string;
  /** Whether the region's edge manifests change, so the job also renders and diffs them. */
  readonly manifests: boolean;
}

export interface Matrix {
  readonly include: readonly MatrixEntry[];
}

export interface ChangeInput {
  /** The configuration at the base; undefined when the base has no region files yet. */
  readonly base: Config | undefined;
  readonly head: Config;
  /** Repository paths the change adds, modifies or deletes. */
  readonly changedPaths: readonly string[];
  readonly layout?: Layout;
}

export interface Layout {
  readonly stack: string;
  readonly manifests: string;
}

export const DEFAULT_LAYOUT: Layout = { stack: 'terraform', manifests: 'manifests' };

/** Settings of a region entry that only the edge manifests read; the rest shape the cluster. */
const MANIFEST_ONLY = ['edge'];
/** Settings that neither Terraform nor the manifests read. */
const NEITHER = ['scaling', 'enabled', 'region'];

export function detectChanges(input: ChangeInput): Matrix {
  const layout = input.layout ?? DEFAULT_LAYOUT;
  const under = (dir: string) => input.changedPaths.filter((p) => p === dir || p.startsWith(`${dir}/`));
  const stackChanged = under(layout.stack).length > 0;
  const manifestPaths = under(layout.manifests);
  const perRegionManifests = `${layout.manifests}/regions/`;
  // A change to a region's own overlay concerns that region; any other manifest change, all of them.
  const manifestRegions = new Set(
    manifestPaths.filter((p) => p.startsWith(perRegionManifests)).map((p) => p.slice(perRegionManifests.length).split('/')[0] ?? ''),
  );
  const allManifests = manifestPaths.some((p) => !p.startsWith(perRegionManifests)) || originChanged(input.base, input.head);

  const before = new Map((input.base?.regions ?? []).filter((r) => r.serving).map((r) => [r.region, r]));
  const after = new Map(input.head.regions.filter((r) => r.serving).map((r) => [r.region, r]));
  const everywhere = new Map(input.head.regions.map((r) => [r.region, r]));
  const include: MatrixEntry[] = [];

  for (const [code, region] of after) {
    const old = before.get(code);
    const reasons: string[] = [];
    let manifests = allManifests || manifestRegions.has(code);
    if (!old) {
      reasons.push(input.base?.regions.some((r) => r.region === code) ? 'enabled' : 'added');
      manifests = true;
    } else {
      const changed = changedKeys(old.spec, region.spec);
      const cluster = changed.filter((k) => !startsWithAny(k, [...MANIFEST_ONLY, ...NEITHER]));
      const edge = changed.filter((k) => startsWithAny(k, MANIFEST_ONLY));
      if (cluster.length) reasons.push(`${describeKeys(cluster)} changed`);
      if (stackChanged) reasons.push(`${layout.stack}/ changed`);
      if (edge.length) {
        reasons.push(`${describeKeys(edge)} changed`);
        manifests = true;
      }
      if (manifests && !edge.length) reasons.push('edge manifests changed');
    }
    if (reasons.length) include.push({ region: code, operation: 'plan', reason: reasons.join('; '), manifests });
  }
  for (const [code] of before) {
    if (after.has(code)) continue;
    include.push({ region: code, operation: 'destroy', reason: everywhere.has(code) ? 'disabled' : 'removed', manifests: false });
  }
  return { include };
}

function originChanged(base: Config | undefined, head: Config): boolean {
  return base !== undefined && JSON.stringify(base.cdn.origin) !== JSON.stringify(head.cdn.origin);
}

function startsWithAny(key: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => key === p || key.startsWith(`${p}.`) || key.startsWith(`${p}[`));
}

function describeKeys(keys: readonly string[]): string {
  return keys.length <= 3 ? keys.join(', ') : `${keys.slice(0, 3).join(', ')} and ${keys.length - 3} more`;
}

/** Dotted paths of the leaves that differ between two parsed values. */
export function changedKeys(a: unknown, b: unknown, prefix = ''): string[] {
  if (Object.is(a, b)) return [];
  const bothArrays = Array.isArray(a) && Array.isArray(b);
  const bothObjects = !bothArrays && isPlainObject(a) && isPlainObject(b);
  if (!bothArrays && !bothObjects) return [prefix || '(root)'];
  if (bothArrays) {
    const length = Math.max(a.length, b.length);
    return Array.from({ length }, (_, i) => changedKeys(a[i], b[i], `${prefix}[${i}]`)).flat();
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
  return keys.flatMap((k) => changedKeys(left[k], right[k], prefix ? `${prefix}.${k}` : k));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasDestroy(matrix: Matrix): boolean {
  return matrix.include.some((e) => e.operation === 'destroy');
}

export interface PlanTarget {
  readonly config: Config;
  readonly region: Region;
  readonly operation: Operation;
}

/**
 * What to plan for a region: a serving one is planned; one that no longer serves is planned for
 * destruction, with its settings from the head if it is still there (disabled) or from the base
 * if it was removed. Undefined when it is in neither.
 */
export function planTarget(code: string, head: Config, base?: Config): PlanTarget | undefined {
  const region = head.regions.find((r) => r.region === code);
  if (region) return { config: head, region, operation: region.serving ? 'plan' : 'destroy' };
  const old = base?.regions.find((r) => r.region === code);
  return old && base ? { config: base, region: old, operation: 'destroy' } : undefined;
}
