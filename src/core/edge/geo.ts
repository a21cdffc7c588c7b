// The nginx `geo` map that labels each request with the region nearest its client: address ranges
// by country from an IP-to-location table, each country given the region nearest most of its
// people by the latency model, in CIDR form (which nginx matches longest-prefix first, for IPv4
// and IPv6 alike, and where nesting is allowed: `ranges` mode is IPv4 only and rejects overlaps).
import { assign, type Place } from '../latency/model.js';

export type Family = 4 | 6;

export interface Range {
  readonly start: bigint;
  readonly end: bigint;
  readonly label: string;
}

export const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/** Rows `start,end,country` with addresses as integers (the `-num.csv` files). */
export function parseNumericCsv(text: string): Range[] {
  const out: Range[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [a, b, c] = line.split(',');
    if (!a || !b || !c) continue;
    out.push({ start: BigInt(a), end: BigInt(b), label: c.trim() });
  }
  return out;
}

/**
 * Each country's region: the one nearest most of its people (cities by population), by the same
 * model as `kubecdn latency`. A country split between regions goes wholly to the larger share:
 * that is the coarsening a country table cannot avoid, and `countryCost` measures it.
 */
export function countryRegions(places: readonly Place[], regions: readonly string[]): Map<string, string> {
  const { region } = assign(places, regions);
  const votes = new Map<string, Map<number, number>>();
  places.forEach((p, i) => {
    const r = region[i] ?? -1;
    if (r < 0) return;
    const v = votes.get(p.country) ?? new Map<number, number>();
    v.set(r, (v.get(r) ?? 0) + p.population);
    votes.set(p.country, v);
  });
  const out = new Map<string, string>();
  for (const [country, v] of votes) {
    const best = [...v].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
    if (best) out.set(country, regions[best[0]] ?? '');
  }
  return out;
}

/** Share of city population whose country's region is not its own nearest region. */
export function countryCost(places: readonly Place[], regions: readonly string[], byCountry: ReadonlyMap<string, string>): number {
  const { region } = assign(places, regions);
  let moved = 0;
  let total = 0;
  places.forEach((p, i) => {
    total += p.population;
    if (byCountry.get(p.country) !== regions[region[i] ?? -1]) moved += p.population;
  });
  return total ? moved / total : 0;
}

/**
 * Ranges relabelled and made disjoint: where rows overlap, the later-starting (narrower) row wins
 * inside its span; touching rows with one label are merged. Also counts the overlaps found.
 */
export function flatten(rows: readonly Range[], relabel: (label: string) => string | undefined): { ranges: Range[]; overlaps: number } {
  const sorted = rows
    .map((r) => ({ ...r, label: relabel(r.label) }))
    .filter((r): r is Range => r.label !== undefined)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.end > b.end ? -1 : a.end < b.end ? 1 : 0));
  const out: Range[] = [];
  let overlaps = 0;
  const push = (r: Range) => {
    if (r.start > r.end) return;
    const last = out.at(-1);
    if (last && last.label === r.label && last.end + 1n >= r.start)
      out[out.length - 1] = { ...last, end: r.end > last.end ? r.end : last.end };
    else out.push(r);
  };
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.start <= last.end) {
      overlaps++;
      // The narrower row wins inside its span; the wider resumes after it.
      out.pop();
      push({ ...last, end: r.start - 1n });
      push(r);
      if (last.end > r.end) push({ ...last, start: r.end + 1n });
    } else push(r);
  }
  return { ranges: out, overlaps };
}

export function formatAddress(value: bigint, family: Family): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, k) => Number((value >> BigInt(112 - 16 * k)) & 0xffffn));
  // The longest run of zero groups (two or more) becomes "::", as RFC 5952 writes it.
  let best = -1;
  let bestLen = 1;
  for (let k = 0; k < 8;) {
    if (groups[k] !== 0) {
      k++;
      continue;
    }
    let j = k;
    while (j < 8 && groups[j] === 0) j++;
    if (j - k > bestLen) {
      best = k;
      bestLen = j - k;
    }
    k = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** A family's ranges as whole numbers of its prefix width: IPv4 by address, IPv6 by /48. */
export interface Table {
  readonly family: Family;
  /** Bits of the numbers: 32 for IPv4, 48 for IPv6 (longer prefixes are not routed on the Internet). */
  readonly width: number;
  readonly ranges: readonly { start: number; end: number; label: string }[];
}

export function toTable(family: Family, ranges: readonly Range[]): Table {
  const width = family === 4 ? 32 : 48;
  const shift = BigInt(BITS[family] - width);
  const out: { start: number; end: number; label: string }[] = [];
  for (const r of ranges) {
    const start = Number(r.start >> shift);
    const end = Number(r.end >> shift);
    const last = out.at(-1);
    if (last && start <= last.end) {
      // Two rows inside one /48: the earlier keeps it, the later keeps what is left.
      if (end > last.end) out.push({ start: last.end + 1, end, label: r.label });
    } else if (last && last.label === r.label && last.end + 1 === start) last.end = end;
    else out.push({ start, end, label: r.label });
  }
  return { family, width, ranges: out };
}

export interface Line {
  readonly base: number;
  readonly prefix: number;
  readonly label: string;
}

/**
 * The fewest nested CIDR lines that give every address its label, for blocks no longer than
 * /`maxPrefix` (ORTC, Draves et al., "Constructing optimal IP routing tables", INFOCOM 1999): a
 * block of that size takes the label covering most of its addresses. Addresses no row covers may
 * get any label. Returns the lines and the share of labelled addresses whose label changed.
 */
export function compress(table: Table, maxPrefix: number, defaultLabel = 'unknown'): { lines: Line[]; moved: number } {
  const labels = [defaultLabel, ...new Set(table.ranges.map((r) => r.label))];
  const index = new Map(labels.map((l, i) => [l, i]));
  if (labels.length > 31) throw new Error('more than 30 labels in the geo map');
  const r = table.ranges;
  const anyLabel = 2 ** labels.length - 1;
  let moved = 0;
  let total = 0;
  interface Node {
    mask: number;
    left?: Node;
    right?: Node;
  }
  // Bottom-up: the labels a block may take at least cost (a leaf: its one label).
  const build = (lo: number, base: number, depth: number): { node: Node; next: number } => {
    const size = 2 ** (table.width - depth);
    const end = base + size - 1;
    while (lo < r.length && (r[lo]?.end ?? 0) < base) lo++;
    const first = r[lo];
    // Space no row covers sends no traffic (reserved ranges are rows labelled with the default):
    // any label will do, which lets neighbours merge.
    if (!first || first.start > end) return { node: { mask: anyLabel }, next: lo };
    if (first.start <= base && first.end >= end) {
      total += size;
      return { node: { mask: 1 << (index.get(first.label) ?? 0) }, next: lo };
    }
    if (depth === maxPrefix) {
      const share = new Map<string, number>();
      let covered = 0;
      for (let k = lo; k < r.length && (r[k]?.start ?? Infinity) <= end; k++) {
        const x = r[k];
        if (!x) break;
        const n = Math.min(end, x.end) - Math.max(base, x.start) + 1;
        share.set(x.label, (share.get(x.label) ?? 0) + n);
        covered += n;
      }
      const [label, n] = [...share].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [defaultLabel, 0];
      total += covered;
      moved += covered - n;
      return { node: { mask: 1 << (index.get(label) ?? 0) }, next: lo };
    }
    const half = size / 2;
    const left = build(lo, base, depth + 1);
    const right = build(left.next, base + half, depth + 1);
    const both = left.node.mask & right.node.mask;
    return { node: { mask: both || left.node.mask | right.node.mask, left: left.node, right: right.node }, next: left.next };
  };
  const lines: Line[] = [];
  const lowest = (mask: number) => 31 - Math.clz32(mask & -mask);
  // Top-down: a block keeps what it inherits when it may; otherwise it takes one of its labels.
  const emit = (node: Node, base: number, depth: number, inherited: number) => {
    let label = inherited;
    const half = 2 ** (table.width - depth - 1);
    if (!(node.mask & (1 << inherited))) {
      label = lowest(node.mask);
      const name = labels[label] ?? defaultLabel;
      // nginx's `default` is the /0 of both families: a root of another label is written as its two halves.
      if (depth === 0) lines.push({ base, prefix: 1, label: name }, { base: base + half, prefix: 1, label: name });
      else lines.push({ base, prefix: depth, label: name });
    }
    if (node.left) emit(node.left, base, depth + 1, label);
    if (node.right) emit(node.right, base + half, depth + 1, label);
  };
  emit(build(0, 0, 0).node, 0, 0, 0);
  return { lines, moved: total ? moved / total : 0 };
}

export function lineText(line: Line, family: Family): string {
  const shift = BigInt(BITS[family] - (family === 4 ? 32 : 48));
  return `${formatAddress(BigInt(line.base) << shift, family)}/${line.prefix} ${line.label};`;
}

export interface GeoStats {
  readonly family: Family;
  /** Rows of the data set, and how many overlapped another. */
  readonly rows: number;
  readonly overlaps: number;
  readonly lines: number;
  /** The longest prefix kept: /24 and /48 are exact for routed space; shorter is coarser. */
  readonly maxPrefix: number;
  /** Share of mapped address space whose region the coarsening changed. */
  readonly moved: number;
}

export interface GeoMap {
  readonly text: string;
  readonly bytes: number;
  readonly stats: readonly GeoStats[];
}

/** The head of the map: a comment that credits the data, and the label of unknown addresses. */
export function geoHeader(attribution: string): string {
  return `${attribution
    .split('\n')
    .map((l) => `# ${l}`.trimEnd())
    .join('\n')}\ngeo $near {\n  default unknown;\n`;
}

/**
 * The geo map from each family's table, coarsened until it fits `budget` bytes: IPv4 at /24 and
 * IPv6 at /48 first (the longest prefixes routed on the Internet), then one bit shorter at a time
 * for the family whose lines are the more numerous.
 */
export function renderGeoMap(
  tables: readonly Table[],
  options: {
    attribution: string;
    budget: number;
    rows?: ReadonlyMap<Family, number>;
    overlaps?: ReadonlyMap<Family, number>;
    /** Longest prefixes to try first; default /24 and /48, exact. */
    start?: ReadonlyMap<Family, number>;
  },
): GeoMap {
  // Each family's steps: IPv6 holds few users per /48 beyond /32, so it gives up bits faster there.
  const ladder = (t: Table) =>
    (t.width === 32 ? [24, 23, 22, 21, 20, 19, 18, 17, 16] : [48, 40, 36, 32, 30, 29, 28, 27, 26, 25, 24, 22, 20, 18, 16]).filter(
      (p) => p <= (options.start?.get(t.family) ?? t.width),
    );
  const memo = new Map<string, { lines: string[]; stats: GeoStats }>();
  const part = (t: Table, max: number) => {
    const key = `${t.family}/${max}`;
    const known = memo.get(key);
    if (known) return known;
    const c = compress(t, max);
    const lines = c.lines.map((l) => `  ${lineText(l, t.family)}`);
    const stats: GeoStats = {
      family: t.family,
      rows: options.rows?.get(t.family) ?? t.ranges.length,
      overlaps: options.overlaps?.get(t.family) ?? 0,
      lines: lines.length,
      maxPrefix: max,
      moved: c.moved,
    };
    memo.set(key, { lines, stats });
    return { lines, stats };
  };
  const step = tables.map(() => 0);
  const header = geoHeader(options.attribution);
  for (;;) {
    const parts = tables.map((t, i) => part(t, ladder(t)[step[i] ?? 0] ?? 8));
    const bytes = Buffer.byteLength(header) + parts.reduce((n, p) => n + p.lines.reduce((m, l) => m + Buffer.byteLength(l) + 1, 0), 0) + 2;
    if (bytes <= options.budget) {
      const text = `${header}${parts.flatMap((p) => p.lines).join('\n')}\n}\n`;
      return { text, bytes: Buffer.byteLength(text), stats: parts.map((p) => p.stats) };
    }
    // Coarsen the family with the more lines, one step.
    const i = parts.reduce(
      (best, p, k) =>
        p.lines.length > (parts[best]?.lines.length ?? 0) && (step[k] ?? 0) + 1 < ladder(tables[k] as Table).length ? k : best,
      -1,
    );
    const k = i >= 0 ? i : parts.findIndex((_, j) => (step[j] ?? 0) + 1 < ladder(tables[j] as Table).length);
    if (k < 0) throw new Error(`the geo map does not fit ${options.budget} bytes even at /16`);
    step[k] = (step[k] ?? 0) + 1;
  }
}
