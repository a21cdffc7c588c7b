// The geo map's pieces, pure: overlapping rows, prefix compression and coarsening, address text.
// nginx itself reads the committed map in test/autoscale-edge.int.test.ts.
import { describe, expect, it } from 'vitest';
import { compress, flatten, formatAddress, lineText, toTable, type Range } from '../src/core/edge/geo.js';

const r = (start: number, end: number, label: string): Range => ({ start: BigInt(start), end: BigInt(end), label });

/** The label nginx would give `address`: the longest matching line, else unknown. */
function lookup(lines: { base: number; prefix: number; label: string }[], width: number, address: number): string {
  let best = { prefix: -1, label: 'unknown' };
  for (const l of lines) {
    const size = 2 ** (width - l.prefix);
    if (address >= l.base && address < l.base + size && l.prefix > best.prefix) best = l;
  }
  return best.label;
}

describe('flatten', () => {
  it('lets the narrower of two overlapping rows win inside its span, and merges touching rows of one label', () => {
    const { ranges, overlaps } = flatten([r(0, 99, 'A'), r(10, 19, 'B'), r(100, 149, 'A'), r(150, 199, 'C')], (c) => c);
    expect(overlaps).toBe(1);
    expect(ranges.map((x) => [Number(x.start), Number(x.end), x.label])).toEqual([
      [0, 9, 'A'],
      [10, 19, 'B'],
      [20, 149, 'A'],
      [150, 199, 'C'],
    ]);
  });

  it('drops rows whose country has no region', () => {
    expect(flatten([r(0, 9, 'ZZ'), r(10, 19, 'A')], (c) => (c === 'ZZ' ? undefined : c)).ranges).toHaveLength(1);
  });
});

describe('compress', () => {
  const table = toTable(
    4,
    flatten([r(0, 2 ** 31 - 1, 'east'), r(2 ** 24, 2 ** 24 + 255, 'west'), r(2 ** 31, 2 ** 32 - 1, 'east')], (c) => c).ranges,
  );

  it('gives every covered address its label with nested prefixes, as longest-match reads them', () => {
    const { lines, moved } = compress(table, 24);
    expect(moved).toBe(0);
    expect(lines.map((l) => lineText(l, 4))).toEqual(['0.0.0.0/1 east;', '128.0.0.0/1 east;', '1.0.0.0/24 west;']);
    for (const a of [0, 2 ** 24 - 1, 2 ** 24, 2 ** 24 + 255, 2 ** 24 + 256, 2 ** 32 - 1])
      expect(lookup(lines, 32, a)).toBe(a >= 2 ** 24 && a <= 2 ** 24 + 255 ? 'west' : 'east');
  });

  it('coarsens to the majority label of each block, and says how much space moved', () => {
    const { lines, moved } = compress(table, 16);
    expect(lines.map((l) => lineText(l, 4))).toEqual(['0.0.0.0/1 east;', '128.0.0.0/1 east;']);
    expect(moved).toBeCloseTo(256 / 2 ** 32, 12);
  });
});

describe('formatAddress', () => {
  it('writes IPv4 dotted and IPv6 with the longest zero run as ::', () => {
    expect(formatAddress(0x01020304n, 4)).toBe('1.2.3.4');
    expect(formatAddress(0x20010db8000000000000000000000001n, 6)).toBe('2001:db8::1');
    expect(formatAddress(0x2a0104f8000000000000000000000000n, 6)).toBe('2a01:4f8::');
    expect(formatAddress(0n, 6)).toBe('::');
  });
});
