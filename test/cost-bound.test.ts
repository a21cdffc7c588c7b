// The bound on a figure when prices are missing, pure: no price is negative, so the priced parts
// bound a bill from below; a change's delta is bounded only where the unpriced parts it leaves are
// on one side. Bills are built by hand here; test/cost.test.ts takes them from the cost model.
import { describe, expect, it } from 'vitest';
import { billFigure, costDelta, sumFigures, UNKNOWN, type Bill, type EstimatedPart, type UnpricedPart } from '../src/core/cost/bound.js';

const fee = (max: number): UnpricedPart => ({
  item: 'Nodes: edge',
  inputs: JSON.stringify({ types: ['c7i.large'], min: 3, max }),
  missing: ['c7i.large EKS Auto Mode fee hour'],
});
const bill = (min: number, max: number, ...unpriced: UnpricedPart[]): Bill => ({ priced: { min, max }, unpriced });

describe('a bill with a price missing', () => {
  it('costs at least its priced parts, and exactly them with none missing', () => {
    expect(billFigure(bill(311.38, 311.38, fee(12)))).toEqual({ bound: 'at-least', min: 311.38, max: 311.38 });
    expect(billFigure(bill(498.17, 825.21))).toEqual({ bound: 'exact', min: 498.17, max: 825.21 });
  });
});

describe('the delta of a change', () => {
  it('switching a region on costs at least its priced parts', () => {
    expect(costDelta(undefined, bill(311.38, 311.38, fee(12)))).toEqual({ bound: 'at-least', min: 311.38, max: 311.38 });
  });

  it('switching it off saves at least them: the delta is at most minus them', () => {
    expect(costDelta(bill(311.38, 311.38, fee(12)), undefined)).toEqual({ bound: 'at-most', min: -311.38, max: -311.38 });
  });

  it('is exact when the change leaves the unpriced part untouched: it cancels', () => {
    // 3 zones → 2: the NAT gateways and addresses change, the nodes (unpriced) do not.
    const d = costDelta(bill(311.38, 311.38, fee(12)), bill(256.23, 256.23, fee(12)));
    expect(d.bound).toBe('exact');
    expect(d.min).toBeCloseTo(-55.15, 10);
    expect(d.max).toBeCloseTo(-55.15, 10);
  });

  it('is unknown when the change touches the unpriced part: both sides keep one', () => {
    expect(costDelta(bill(311.38, 311.38, fee(12)), bill(311.38, 311.38, fee(16))).bound).toBe('unknown');
    expect(costDelta(bill(311.38, 311.38, fee(12)), bill(311.38, 311.38, fee(16))).min).toBeNaN();
  });

  it('is at least the priced difference when only the after side gains an unpriced part, at most it when only the before side loses one', () => {
    expect(costDelta(bill(100, 100), bill(100, 100, fee(12)))).toEqual({ bound: 'at-least', min: 0, max: 0 });
    expect(costDelta(bill(100, 150, fee(12)), bill(120, 200))).toEqual({ bound: 'at-most', min: 20, max: 50 });
  });

  it('is exact and zero when nothing changes, missing prices and all', () => {
    expect(costDelta(bill(311.38, 311.38, fee(12)), bill(311.38, 311.38, fee(12)))).toEqual({ bound: 'exact', min: 0, max: 0 });
  });
});

describe('totals over several regions', () => {
  const exact = { bound: 'exact', min: 10, max: 20 } as const;
  const least = { bound: 'at-least', min: 311.38, max: 311.38 } as const;
  const most = { bound: 'at-most', min: -185.9, max: -185.9 } as const;

  it('are exact only when every region is, and a lower bound when any region is one', () => {
    expect(sumFigures([exact, exact])).toEqual({ bound: 'exact', min: 20, max: 40 });
    expect(sumFigures([exact, least, least])).toEqual({ bound: 'at-least', min: 632.76, max: 642.76 });
    expect(sumFigures([most, exact])).toEqual({ bound: 'at-most', min: -175.9, max: -165.9 });
    expect(sumFigures([])).toEqual({ bound: 'exact', min: 0, max: 0 });
  });

  it('bound nothing when a lower and an upper bound meet (one region on, another off), or any is unknown', () => {
    expect(sumFigures([least, most]).bound).toBe('unknown');
    expect(sumFigures([exact, { bound: 'unknown', min: NaN, max: NaN }]).bound).toBe('unknown');
    expect(sumFigures([least, most]).min).toBeNaN();
  });
});

describe('the dominance rule: a part billed per instance-hour on the same types', () => {
  // The Auto Mode fee of a pool: unpriced, but non-negative and per instance-hour, so more of the
  // same instances cost no less whatever the fee is.
  const pool = (min: number, max: number, types = ['c6i.large', 'c7i.large']): UnpricedPart => ({
    item: 'Nodes: edge (Auto Mode fee)',
    inputs: JSON.stringify({ types, min, max }),
    missing: types.map((t) => `${t} EKS Auto Mode fee hour`),
    perInstance: { types: JSON.stringify([...types].sort()), min, max },
  });

  it('counts up: the delta is at least the priced difference', () => {
    expect(costDelta(bill(100, 200, pool(3, 12)), bill(100, 260, pool(3, 16)))).toEqual({ bound: 'at-least', min: 0, max: 60 });
    expect(costDelta(bill(100, 200, pool(3, 12)), bill(130, 200, pool(4, 12)))).toEqual({ bound: 'at-least', min: 30, max: 0 });
  });

  it('counts down: the delta is at most the priced difference', () => {
    expect(costDelta(bill(100, 260, pool(3, 16)), bill(100, 200, pool(3, 12)))).toEqual({ bound: 'at-most', min: 0, max: -60 });
  });

  it('another type, or one count up and the other down: unknown', () => {
    expect(costDelta(bill(100, 200, pool(3, 12)), bill(100, 200, pool(3, 12, ['m7i.large'])))).toEqual(UNKNOWN);
    expect(costDelta(bill(100, 200, pool(3, 12)), bill(100, 200, pool(4, 10)))).toEqual(UNKNOWN);
    // Without perInstance the rule does not apply: a changed part on both sides bounds nothing.
    const plain = (p: UnpricedPart): UnpricedPart => ({ item: p.item, inputs: p.inputs, missing: p.missing });
    expect(costDelta(bill(100, 200, plain(pool(3, 12))), bill(100, 260, plain(pool(3, 16))))).toEqual(UNKNOWN);
  });

  it('the same types in another order compare as the same, their missing prices listed in that order', () => {
    // As the model lists them: the missing prices follow the pool's types in the file's order.
    const reordered = pool(3, 16, ['c7i.large', 'c6i.large']);
    expect(reordered.missing).toEqual(['c7i.large EKS Auto Mode fee hour', 'c6i.large EKS Auto Mode fee hour']);
    expect(costDelta(bill(0, 0, pool(3, 12)), bill(0, 0, reordered))).toEqual({ bound: 'at-least', min: 0, max: 0 });
  });
});

describe('a part known only from above (spot nodes at the on-demand price)', () => {
  const spot = (max: number): EstimatedPart => ({
    item: 'Nodes: edge-spot (spot)',
    inputs: JSON.stringify({ types: ['c5.large'], min: 0, max }),
    upTo: { min: 0, max: 73.73 * max },
    perInstance: { types: '["c5.large"]', min: 0, max },
  });
  const withSpot = (min: number, max: number, part: EstimatedPart, ...unpriced: UnpricedPart[]): Bill => ({
    priced: { min, max },
    unpriced,
    estimated: [part],
  });

  it('makes an otherwise exact bill at most its figure, and adds nothing to a lower bound', () => {
    expect(billFigure(withSpot(300, 500, spot(2)))).toEqual({ bound: 'at-most', min: 300, max: 647.46 });
    expect(billFigure(withSpot(300, 500, spot(2), fee(12)))).toEqual({ bound: 'at-least', min: 300, max: 500 });
  });

  it('cancels when the same on both sides, and counts up under the dominance rule', () => {
    expect(costDelta(withSpot(300, 500, spot(2)), withSpot(320, 520, spot(2)))).toEqual({ bound: 'exact', min: 20, max: 20 });
    // 2 → 3 spot nodes at the most: from 0 to 73.73 more.
    const up = costDelta(withSpot(300, 500, spot(2)), withSpot(300, 500, spot(3)));
    expect(up.bound).toBe('at-most');
    expect(up.max).toBeCloseTo(73.73, 6);
    // Switching the region off saves at least its exact parts, whatever spot cost.
    expect(costDelta(withSpot(300, 500, spot(2)), undefined)).toEqual({ bound: 'at-most', min: -300, max: -500 });
  });
});
