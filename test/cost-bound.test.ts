// The bound on a figure when prices are missing, pure: no price is negative, so the priced parts
// bound a bill from below; a change's delta is bounded only where the unpriced parts it leaves are
// on one side. Bills are built by hand here; test/cost.test.ts takes them from the cost model.
import { describe, expect, it } from 'vitest';
import { billFigure, costDelta, sumFigures, type Bill, type UnpricedPart } from '../src/core/cost/bound.js';

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
