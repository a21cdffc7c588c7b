// Which regions a change touches, judged on meaning: the parsed region files at base and head,
// and the paths the change touches under the stack and the manifests.
import type { Config, Location, Region } from './config.js';
import { terraformVariables } from './terraform.js';

export type Operation = 'plan' | 'destroy';

export interface MatrixEntry {
  readonly region: string;
  readonly operation: Operation;
  /** Why the region is in the matrix, for people: "added", "cluster.kubernetes_version changed". */
  readonly reason: string;
  /**
   * Set when the change renames what every region's stack is keyed by (owner_id): the plans alone
   * would show new clusters and hide that the old ones keep running, unmanaged.
   */
  readonly cdnWide?: string;
}

/** The Terraform jobs of a change; its JSON is a GitHub Actions matrix, so it holds only `include`. */
export interface Matrix {
  readonly include: readonly MatrixEntry[];
}

/** A serving region whose edge manifests change while its Terraform inputs do not. */
export interface EdgeEntry {
  readonly region: string;
  readonly reason: string;
}

export interface ChangeInput {
  /** The configuration at the base; undefined when the base has no region files yet. */
  readonly base: Config | undefined;
  readonly head: Config;
  /** Repository paths the change adds, modifies or deletes. */
  readonly changedPaths: readonly string[];
}

const STACK = 'terraform';
const MANIFESTS = 'manifests';
/** cdn.yaml settings the edge's nginx renders: a change re-renders every region's manifests. */
const EDGE_CDN = ['origin', 'health_check.path'];

/**
 * The regions whose Terraform inputs change: exactly what `kubecdn tf vars` writes for the region
 * differs between base and head, or the stack itself changed. A change Terraform never reads (an
 * edge setting, the origin) plans nothing here; `edgeChanges` names it.
 */
export function detectChanges(input: ChangeInput): Matrix {
  const stackChanged = touched(input.changedPaths, STACK).length > 0;
  const wide = cdnWideChange(input.base, input.head);
  const include: MatrixEntry[] = [];
  for (const region of input.head.regions.filter((r) => r.serving)) {
    const old = serving(input.base, region.region);
    if (!old || !input.base) {
      const reason = input.base?.regions.some((r) => r.region === region.region) ? 'enabled' : 'added';
      include.push({ region: region.region, operation: 'plan', reason, ...(wide ? { cdnWide: wide } : {}) });
      continue;
    }
    const reasons = terraformReasons(input.base, old, input.head, region);
    if (stackChanged) reasons.push(`${STACK}/ changed`);
    if (reasons.length)
      include.push({ region: region.region, operation: 'plan', reason: reasons.join('; '), ...(wide ? { cdnWide: wide } : {}) });
  }
  for (const old of input.base?.regions.filter((r) => r.serving) ?? []) {
    if (serving(input.head, old.region)) continue;
    const reason = input.head.regions.some((r) => r.region === old.region) ? 'disabled' : 'removed';
    include.push({ region: old.region, operation: 'destroy', reason, ...(wide ? { cdnWide: wide } : {}) });
  }
  return { include };
}

/**
 * Serving regions, already serving at the base, whose edge manifests change although Terraform has
 * nothing to do for them. The apply workflow renders and applies every serving region's manifests,
 * so these need no Terraform job; the preview and the comment name them.
 */
export function edgeChanges(input: ChangeInput): EdgeEntry[] {
  const planned = new Set(detectChanges(input).include.map((e) => e.region));
  const manifestPaths = touched(input.changedPaths, MANIFESTS);
  const perRegion = `${MANIFESTS}/regions/`;
  const overlays = new Set(manifestPaths.filter((p) => p.startsWith(perRegion)).map((p) => p.slice(perRegion.length).split('/')[0] ?? ''));
  const shared = manifestPaths.some((p) => !p.startsWith(perRegion));
  const cdn = input.base ? changedKeys(pick(input.base.cdn, EDGE_CDN), pick(input.head.cdn, EDGE_CDN)).map((k) => `cdn.${k}`) : [];
  const entries: EdgeEntry[] = [];
  for (const region of input.head.regions.filter((r) => r.serving)) {
    const old = serving(input.base, region.region);
    if (!old || planned.has(region.region)) continue;
    const edge = changedKeys(old.spec.edge, region.spec.edge).map((k) => `edge.${k}`);
    const reasons = [...(edge.length || cdn.length ? [`${describeKeys([...edge, ...cdn])} changed`] : [])];
    if (shared || overlays.has(region.region)) reasons.push('edge manifests changed');
    if (reasons.length) entries.push({ region: region.region, reason: reasons.join('; ') });
  }
  return entries;
}

/**
 * A change to owner_id renames every cluster and moves every region's state key, so each stack
 * would plan new resources from an empty state while the old ones keep running. The zone decides
 * where the certificates are validated and the records live. Both concern the whole CDN.
 */
export function cdnWideChange(base: Config | undefined, head: Config): string | undefined {
  const keys = cdnWideKeys(base, head);
  if (keys.length === 0) return undefined;
  return (
    `cdn.${keys.join(', cdn.')} changed: this concerns every region. A new owner_id gives every cluster a new name and a new ` +
    'state key, so the plans build a second CDN while the old clusters keep running, unmanaged, and the old records stay ' +
    "another owner's; a new zone leaves the certificates' validation records and the latency records in the old one. " +
    'Do not merge this as it is: follow "Changing owner_id or the zone" in the README.'
  );
}

/**
 * Where the head's cdn.yaml holds the first CDN-wide setting that changed: the line its warning
 * points at. A key removed from the file has no line left, so then the first setting of the
 * mapping it was in. Undefined when there is no CDN-wide change.
 */
export function cdnWideLocation(base: Config | undefined, head: Config): Location | undefined {
  const keys = cdnWideKeys(base, head);
  if (keys.length === 0) return undefined;
  const places = head.cdnKeys ?? {};
  const first = Object.values(places).sort((a, b) => a.line - b.line || a.column - b.column)[0];
  return keys.map((k) => places[k]).find((at) => at !== undefined) ?? first;
}

function cdnWideKeys(base: Config | undefined, head: Config): ('owner_id' | 'zone_id' | 'zone_name')[] {
  if (!base) return [];
  return (['owner_id', 'zone_id', 'zone_name'] as const).filter((k) => base.cdn[k] !== head.cdn[k]);
}

function terraformReasons(baseConfig: Config, old: Region, headConfig: Config, region: Region): string[] {
  const keys = changedKeys(terraformVariables(baseConfig, old), terraformVariables(headConfig, region));
  if (keys.length === 0) return [];
  const cluster = region.spec.cluster as Record<string, unknown>;
  const edge = region.spec.edge as Record<string, unknown>;
  // Name each Terraform input by where the user writes it.
  const yamlPath = (key: string) => {
    const top = key.split(/[.[]/)[0] ?? key;
    if (top in cluster || top in (old.spec.cluster as Record<string, unknown>)) return `cluster.${key}`;
    if (top in edge || top in (old.spec.edge as Record<string, unknown>)) return `edge.${key}`;
    if (top === 'region') return key;
    return `cdn.${key}`;
  };
  return [`${describeKeys(keys.map(yamlPath))} changed`];
}

function serving(config: Config | undefined, code: string): Region | undefined {
  return config?.regions.find((r) => r.region === code && r.serving);
}

function touched(paths: readonly string[], dir: string): string[] {
  return paths.filter((p) => p === dir || p.startsWith(`${dir}/`));
}

/** The values at dotted paths, keyed by the path: `health_check.path` picks only the path. */
function pick(obj: object, paths: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    paths.map((p) => [p, p.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], obj)]),
  );
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
