// What is known of a monthly figure when prices are missing. No price is negative, so a bill costs
// at least the sum of its priced parts: a lower bound, never a total. A part priced only from above
// (spot nodes at the on-demand price, the most spot can charge) costs between nothing and that
// figure. A change costs after − before; a part that is the same on both sides (same item, same
// inputs, the same region's prices) costs the same whatever its price, so it cancels. A part billed
// per instance-hour on the same instance types on both sides, with counts no smaller after, costs
// no less after (the dominance rule, `compare`). What is left bounds the delta: each side's part
// adds its range, so the delta is known from below, from above, both (printed as the upper bound,
// the figure the table prices), or neither.

/** exact: the figure itself; at-least / at-most: a bound on it; unknown: min and max are NaN. */
export type Bound = 'exact' | 'at-least' | 'at-most' | 'unknown';

/** A monthly figure, with nodes at their minimum and at their maximum, and what is known of it. */
export interface Figure {
  readonly bound: Bound;
  readonly min: number;
  readonly max: number;
}

/** What a part billed per instance-hour is counted on: the allowed types, the counts at the minimum and maximum. */
export interface PerInstance {
  /** The allowed instance types, sorted, as JSON: with the region, they fix every unit price. */
  readonly types: string;
  readonly min: number;
  readonly max: number;
}

/** A part of a bill that needs a price the table lacks. */
export interface UnpricedPart {
  readonly item: string;
  /** Everything the part's figure depends on besides the region's prices, as JSON. */
  readonly inputs: string;
  /** The items whose prices are missing, as the table names them. */
  readonly missing: readonly string[];
  /** Set when the part is billed per instance-hour: what the dominance rule compares. */
  readonly perInstance?: PerInstance;
}

/** A part known only from above: it costs from nothing up to `upTo` (spot nodes at the on-demand price). */
export interface EstimatedPart {
  readonly item: string;
  readonly inputs: string;
  readonly upTo: { readonly min: number; readonly max: number };
  readonly perInstance?: PerInstance;
}

/** A bill as the bound needs it: the sum of its priced parts, and the parts that are not known exactly. */
export interface Bill {
  readonly priced: { readonly min: number; readonly max: number };
  readonly unpriced: readonly UnpricedPart[];
  /** Parts known only from above; none when absent. */
  readonly estimated?: readonly EstimatedPart[];
}

export const NO_BILL: Bill = { priced: { min: 0, max: 0 }, unpriced: [] };
export const UNKNOWN: Figure = { bound: 'unknown', min: NaN, max: NaN };

/** A part not known exactly, as the delta sees it: what it may cost, from 0 up to `upTo` (Infinity when unpriced). */
interface Term {
  readonly key: string;
  readonly inputs: string;
  readonly upTo: { readonly min: number; readonly max: number };
  readonly perInstance?: PerInstance;
}

const terms = (bill: Bill): Term[] => [
  ...bill.unpriced.map((p) => ({
    // Sorted: the missing prices of a pool follow its types in the file's order, a set in any order.
    key: `unpriced\n${p.item}\n${[...p.missing].sort().join('\n')}`,
    inputs: p.inputs,
    upTo: { min: Infinity, max: Infinity },
    ...(p.perInstance ? { perInstance: p.perInstance } : {}),
  })),
  ...(bill.estimated ?? []).map((p) => ({
    key: `estimated\n${p.item}`,
    inputs: p.inputs,
    upTo: p.upTo,
    ...(p.perInstance ? { perInstance: p.perInstance } : {}),
  })),
];

/**
 * The dominance rule: 'more' when `after` is the same part as `before` (same item, same missing
 * prices), billed per instance-hour on the same instance types, with the minimum and maximum counts
 * both no smaller, so it costs no less whatever its non-negative unit price; 'less' in the mirror
 * case; undefined when they cannot be compared (another type, or one count up and the other down).
 */
function compare(before: Term, after: Term): 'more' | 'less' | undefined {
  const b = before.perInstance;
  const a = after.perInstance;
  if (!a || !b || before.key !== after.key || a.types !== b.types) return undefined;
  if (a.min >= b.min && a.max >= b.max) return 'more';
  if (a.min <= b.min && a.max <= b.max) return 'less';
  return undefined;
}

/**
 * What `after` costs more than `before` a month (a side left out costs nothing), or what is known
 * of it. Each part not known exactly adds a range to the delta: an after-side part from 0 to what
 * it may cost, a before-side part from minus that to 0, a pair under the dominance rule from 0 to
 * the difference of what they may cost (or from it to 0). Exact when nothing is left; at least the
 * priced difference when only the after side adds (switching a region on); at most when the upper
 * end is known (switching one off saves at least its priced parts; spot nodes at the on-demand
 * price); unknown when neither end is. Both sides must be priced from one table for one region.
 */
export function costDelta(before: Bill | undefined, after: Bill | undefined): Figure {
  const b = before ?? NO_BILL;
  const a = after ?? NO_BILL;
  const gone = terms(b);
  const added: Term[] = [];
  for (const part of terms(a)) {
    const i = gone.findIndex((g) => g.key === part.key && g.inputs === part.inputs);
    if (i >= 0) gone.splice(i, 1);
    else added.push(part);
  }
  const lo = { min: a.priced.min - b.priced.min, max: a.priced.max - b.priced.max };
  const hi = { ...lo };
  const ends = ['min', 'max'] as const;
  for (const part of added) {
    const i = gone.findIndex((g) => compare(g, part) !== undefined);
    const paired = i >= 0 ? gone.splice(i, 1)[0] : undefined;
    const way = paired ? compare(paired, part) : undefined;
    for (const end of ends) {
      // Infinity − Infinity is no number: an unpriced pair's difference is unbounded on its open side.
      const diff = paired ? (part.upTo[end] === Infinity ? Infinity : part.upTo[end] - paired.upTo[end]) : part.upTo[end];
      if (way === 'less') lo[end] += part.upTo[end] === Infinity ? -Infinity : diff;
      else hi[end] += diff;
    }
  }
  for (const part of gone) for (const end of ends) lo[end] -= part.upTo[end];
  const known = (x: { min: number; max: number }) => Number.isFinite(x.min) && Number.isFinite(x.max);
  if (known(lo) && known(hi) && Math.abs(hi.min - lo.min) < 1e-9 && Math.abs(hi.max - lo.max) < 1e-9) return { bound: 'exact', ...lo };
  if (known(hi)) return { bound: 'at-most', ...hi };
  if (known(lo)) return { bound: 'at-least', ...lo };
  return UNKNOWN;
}

/** What a bill costs a month: exact, at least its priced parts, or at most its upper estimate. */
export const billFigure = (bill: Bill): Figure => costDelta(undefined, bill);

/**
 * The sum of figures of separate bills (regions, the shared parts): a lower bound plus an exact
 * figure is a lower bound, and so on; a lower bound plus an upper bound bounds nothing.
 */
export function sumFigures(figures: readonly Figure[]): Figure {
  const bounds = new Set(figures.map((f) => f.bound));
  bounds.delete('exact');
  if (bounds.has('unknown') || bounds.size > 1) return UNKNOWN;
  return {
    bound: [...bounds][0] ?? 'exact',
    min: figures.reduce((n, f) => n + f.min, 0),
    max: figures.reduce((n, f) => n + f.max, 0),
  };
}
