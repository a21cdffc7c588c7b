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

/** Each place's nearest region and its round trip; regions by AWS code. */
export function assign(places: readonly Place[], regions: readonly string[], inflation = DEFAULT_INFLATION): Assignment {
  const coords = regions.map((code) => {
    const r = AWS_REGIONS.get(code);
    if (!r) throw new Error(`no coordinates for region ${code}`);
    // Unit vectors: the nearest region by chord is the nearest by great circle, and cheaper.
    return [
      Math.cos(rad(r.latitude)) * Math.cos(rad(r.longitude)),
      Math.cos(rad(r.latitude)) * Math.sin(rad(r.longitude)),
      Math.sin(rad(r.latitude)),
    ] as const;
  });
  const region = new Int16Array(places.length).fill(-1);
  const rtt = new Float64Array(places.length).fill(Infinity);
  places.forEach((p, i) => {
    const x = Math.cos(rad(p.latitude)) * Math.cos(rad(p.longitude));
    const y = Math.cos(rad(p.latitude)) * Math.sin(rad(p.longitude));
    const z = Math.sin(rad(p.latitude));
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
      rtt[i] = rttMs(EARTH_RADIUS_KM * Math.acos(Math.max(-1, Math.min(1, bestDot))), inflation);
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

/** Population-weighted percentiles of the round trips. */
export function figures(places: readonly Place[], rtt: Float64Array): Figures {
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
