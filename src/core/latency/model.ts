// A model of user latency: each place's round trip to its nearest serving region.
//
// Great-circle distance (haversine, mean Earth radius 6,371 km), at the speed of light in fibre
// (about 200,000 km/s, two thirds of c), times a path-inflation factor. Fibre never runs along the
// great circle: measured Internet round trips run some 1.5 to 2 times the great-circle time in
// fibre (Singla et al., "The Internet at the Speed of Light", HotNets 2014, among others), so 1.5
// is the default. With a factor of 1 the figure is the physical lower bound.
import { AWS_REGIONS } from '../aws-regions.js';

export const EARTH_RADIUS_KM = 6371;
export const FIBRE_KM_PER_MS = 200;
export const DEFAULT_INFLATION = 1.5;

export interface Place {
  readonly name: string;
  readonly country: string;
  readonly population: number;
  readonly latitude: number;
  readonly longitude: number;
}

const rad = (deg: number) => (deg * Math.PI) / 180;

export function greatCircleKm(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const dLat = rad(bLat - aLat);
  const dLon = rad(bLon - aLon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(aLat)) * Math.cos(rad(bLat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Round-trip time over `km` of great circle: there and back in fibre, times the inflation. */
export function rttMs(km: number, inflation = DEFAULT_INFLATION): number {
  return ((2 * km) / FIBRE_KM_PER_MS) * inflation;
}

export interface Assignment {
  /** Index of the place's nearest region in the region list; -1 with no region. */
  readonly region: Int16Array;
  readonly rtt: Float64Array;
}

/** A point of the sphere as a unit vector: the nearest region by chord is the nearest by great circle, and cheaper. */
export function unitVector(latitude: number, longitude: number): readonly [number, number, number] {
  return [Math.cos(rad(latitude)) * Math.cos(rad(longitude)), Math.cos(rad(latitude)) * Math.sin(rad(longitude)), Math.sin(rad(latitude))];
}

/** A region's unit vector, by AWS code. */
export function regionVector(code: string): readonly [number, number, number] {
  const r = AWS_REGIONS.get(code);
  if (!r) throw new Error(`no coordinates for region ${code}`);
  return unitVector(r.latitude, r.longitude);
}

/** The round trip to a region whose unit vector's dot product with the place's is `dot`. */
export function rttOfDot(dot: number, inflation: number): number {
  return rttMs(EARTH_RADIUS_KM * Math.acos(Math.max(-1, Math.min(1, dot))), inflation);
}

/** Each place's nearest region and its round trip; regions by AWS code. */
export function assign(places: readonly Place[], regions: readonly string[], inflation = DEFAULT_INFLATION): Assignment {
  const coords = regions.map(regionVector);
  const region = new Int16Array(places.length).fill(-1);
  const rtt = new Float64Array(places.length).fill(Infinity);
  places.forEach((p, i) => {
    const [x, y, z] = unitVector(p.latitude, p.longitude);
    let best = -1;
    let bestDot = -2;
    coords.forEach(([rx, ry, rz], j) => {
      const dot = x * rx + y * ry + z * rz;
      if (dot > bestDot) {
        bestDot = dot;
        best = j;
      }
    });
    if (best >= 0) {
      region[i] = best;
      rtt[i] = rttOfDot(bestDot, inflation);
    }
  });
  return { region, rtt };
}

export interface Figures {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  /** Share of population (0 to 1) within 50 ms and within 100 ms. */
  readonly within50: number;
  readonly within100: number;
  readonly population: number;
}

/**
 * Population-weighted percentiles of the round trips: each the round trip of the place at which
 * the places sorted by round trip (then by index) first hold that share of the population.
 */
export function figuresBySorting(places: readonly Place[], rtt: Float64Array): Figures {
  const order = Array.from(places.keys()).sort((a, b) => (rtt[a] ?? 0) - (rtt[b] ?? 0) || a - b);
  const total = places.reduce((n, p) => n + p.population, 0);
  const at = (q: number) => {
    let seen = 0;
    for (const i of order) {
      seen += places[i]?.population ?? 0;
      if (seen >= q * total) return rtt[i] ?? Infinity;
    }
    return Infinity;
  };
  const within = (ms: number) => places.reduce((n, p, i) => n + ((rtt[i] ?? Infinity) <= ms ? p.population : 0), 0) / (total || 1);
  return { p50: at(0.5), p90: at(0.9), p95: at(0.95), within50: within(50), within100: within(100), population: total };
}

/**
 * The same figures as figuresBySorting, without the sort: each percentile is the least round trip
 * whose places at or below it hold the share, found by selection. With whole, non-negative
 * populations every partial sum is exact in any order, so the two agree to the bit; any other
 * population (or a round trip that is not a number) takes the sort.
 */
export function figures(places: readonly Place[], rtt: Float64Array): Figures {
  const n = places.length;
  const weights = new Float64Array(n);
  let total = 0;
  let whole = rtt.length === n;
  for (let i = 0; i < n; i++) {
    const p = (places[i] as Place).population;
    total += p;
    weights[i] = p;
    if (!Number.isSafeInteger(p) || p < 0 || Number.isNaN(rtt[i])) whole = false;
  }
  if (!whole || !(total <= Number.MAX_SAFE_INTEGER)) return figuresBySorting(places, rtt);
  const [p50, p90, p95] = leastReaching(Float64Array.from(rtt), weights, [0.5 * total, 0.9 * total, 0.95 * total]);
  return { p50: p50 ?? Infinity, p90: p90 ?? Infinity, p95: p95 ?? Infinity, ...shares(places, rtt, total) };
}

function shares(places: readonly Place[], rtt: Float64Array, total: number) {
  // In the places' order, as the figures have always been summed.
  const within = (ms: number) => {
    let n = 0;
    for (let i = 0; i < places.length; i++) n += (rtt[i] ?? Infinity) <= ms ? (places[i] as Place).population : 0;
    return n / (total || 1);
  };
  return { within50: within(50), within100: within(100), population: total };
}

/**
 * For each of the ascending `targets`, the least of `values` whose weights at or below it add up
 * to the target, or Infinity when none does: a quickselect with a three-way partition, which
 * reorders both arrays alike. Each target's search goes on from where the one before it ended.
 */
function leastReaching(values: Float64Array, weights: Float64Array, targets: readonly number[]): number[] {
  // Everything before `lo` is below everything from `lo` on, and weighs `below` in all.
  let lo = 0;
  let below = 0;
  return targets.map((target) => {
    let hi = values.length;
    while (lo < hi) {
      const pivot = median(values[lo] as number, values[(lo + hi) >>> 1] as number, values[hi - 1] as number);
      // [lo, lt) < pivot, [lt, i) = pivot, (gt, hi) > pivot.
      let lt = lo;
      let i = lo;
      let gt = hi - 1;
      let less = 0;
      let equal = 0;
      while (i <= gt) {
        const v = values[i] as number;
        const w = weights[i] as number;
        if (v < pivot) {
          values[i] = values[lt] as number;
          weights[i] = weights[lt] as number;
          values[lt] = v;
          weights[lt] = w;
          less += w;
          lt++;
          i++;
        } else if (v > pivot) {
          values[i] = values[gt] as number;
          weights[i] = weights[gt] as number;
          values[gt] = v;
          weights[gt] = w;
          gt--;
        } else {
          equal += w;
          i++;
        }
      }
      if (lt > lo && below + less >= target) hi = lt;
      else if (below + less + equal >= target) {
        // The next target's answer is this pivot again, or above it.
        below += less;
        lo = lt;
        return pivot;
      } else {
        below += less + equal;
        lo = gt + 1;
      }
    }
    return Infinity;
  });
}

const median = (a: number, b: number, c: number) => Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
