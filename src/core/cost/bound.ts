// What is known of a monthly figure when prices are missing. No price is negative, so a bill costs
// at least the sum of its priced parts: a lower bound, never a total. A change costs after − before;
// a part that is the same on both sides (same item, same inputs, the same region's prices) costs
// the same whatever its price, so it cancels. What is left unpriced after the change bounds the
// delta from below (it can only add), what is left unpriced before it bounds the delta from above
// (it can only have been more to take away); with both, nothing is known.

/** exact: the figure itself; at-least / at-most: a bound on it; unknown: min and max are NaN. */
export type Bound = 'exact' | 'at-least' | 'at-most' | 'unknown';

/** A monthly figure, with nodes at their minimum and at their maximum, and what is known of it. */
export interface Figure {
  readonly bound: Bound;
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
}

/** A bill as the bound needs it: the sum of its priced parts, and the parts that are not. */
export interface Bill {
  readonly priced: { readonly min: number; readonly max: number };
  readonly unpriced: readonly UnpricedPart[];
}

export const NO_BILL: Bill = { priced: { min: 0, max: 0 }, unpriced: [] };
export const UNKNOWN: Figure = { bound: 'unknown', min: NaN, max: NaN };

const samePart = (a: UnpricedPart, b: UnpricedPart) =>
  a.item === b.item && a.inputs === b.inputs && a.missing.join('\n') === b.missing.join('\n');

/**
 * What `after` costs more than `before` a month (a side left out costs nothing), or what is known
 * of it: exact when every part is priced or cancels; at least the priced difference when only the
 * after side keeps unpriced parts (switching a region on); at most it when only the before side
 * does (switching one off saves at least its priced parts); unknown when both do. Both sides must
 * be priced from one table for one region.
 */
export function costDelta(before: Bill | undefined, after: Bill | undefined): Figure {
  const b = before ?? NO_BILL;
  const a = after ?? NO_BILL;
  const gone = [...b.unpriced];
  let added = 0;
  for (const part of a.unpriced) {
    const i = gone.findIndex((g) => samePart(g, part));
    if (i >= 0) gone.splice(i, 1);
    else added++;
  }
  if (added && gone.length) return UNKNOWN;
  return {
    bound: added ? 'at-least' : gone.length ? 'at-most' : 'exact',
    min: a.priced.min - b.priced.min,
    max: a.priced.max - b.priced.max,
  };
}

/** What a bill costs a month: exact, or at least its priced parts. */
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
