// The latency model for many sets of serving regions drawn from one list of regions, as autoscale
// asks it: the figures before and after switching each region, on top of other switches. Each
// place's dot product with every region is computed once; a set's nearest regions and round trips
// are then read from those, the same to the bit as assign() over that set, since assign() compares
// the same products in the same order.
import { DEFAULT_INFLATION, figures, regionVector, rttOfDot, unitVector, type Assignment, type Figures, type Place } from './model.js';

export interface ServingSets {
  /** As assign(places, serving): `serving` must be drawn from the table's regions. */
  assign(serving: readonly string[]): Assignment;
  /** As figures() of that assignment, computed once for each set. */
  figures(serving: readonly string[]): Figures;
}

export function servingSets(places: readonly Place[], regions: readonly string[], inflation = DEFAULT_INFLATION): ServingSets {
  const n = regions.length;
  const column = new Map(regions.map((code, j) => [code, j]));
  const vectors = regions.map(regionVector);
  // Row i holds place i's dot product with each region, in the order of `regions`.
  const dots = new Float64Array(places.length * n);
  places.forEach((p, i) => {
    const [x, y, z] = unitVector(p.latitude, p.longitude);
    vectors.forEach(([rx, ry, rz], j) => {
      dots[i * n + j] = x * rx + y * ry + z * rz;
    });
  });

  const assignSet = (serving: readonly string[]): Assignment => {
    const columns = serving.map((code) => {
      const j = column.get(code);
      if (j === undefined) throw new Error(`region ${code} is not among the regions the table was built for`);
      return j;
    });
    const region = new Int16Array(places.length).fill(-1);
    const rtt = new Float64Array(places.length).fill(Infinity);
    for (let i = 0; i < places.length; i++) {
      let best = -1;
      let bestDot = -2;
      // In the order of `serving`, keeping the first of equals, as assign() does.
      for (let k = 0; k < columns.length; k++) {
        const dot = dots[i * n + (columns[k] as number)] as number;
        if (dot > bestDot) {
          bestDot = dot;
          best = k;
        }
      }
      if (best >= 0) {
        region[i] = best;
        rtt[i] = rttOfDot(bestDot, inflation);
      }
    }
    return { region, rtt };
  };

  const known = new Map<string, Figures>();
  return {
    assign: assignSet,
    figures(serving) {
      const key = serving.join(' ');
      let f = known.get(key);
      if (!f) {
        f = figures(places, assignSet(serving).rtt);
        known.set(key, f);
      }
      return f;
    },
  };
}
