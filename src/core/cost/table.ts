// The committed price table (prices.json, its date and sources at the top), and the traffic
// assumption as the command line states it.
import data from './prices.json' with { type: 'json' };
import { UsageError } from '../problems.js';
import { DEFAULT_TRAFFIC, type Traffic } from './model.js';
import type { PriceTable } from './prices.js';

export const COMMITTED_PRICES: PriceTable = data as PriceTable;

const TRAFFIC_KEYS: Record<string, keyof Traffic> = {
  gb: 'gbOut',
  requests: 'requests',
  origin: 'originGb',
  queries: 'dnsQueries',
  http: 'plainHttpShare',
};

/** `gb=2000,requests=1e8,origin=150,queries=2e7,http=0.1`; keys left out keep their defaults. */
export function parseTraffic(text: string | undefined): Traffic {
  if (!text) return DEFAULT_TRAFFIC;
  const traffic: { -readonly [K in keyof Traffic]: Traffic[K] } = { ...DEFAULT_TRAFFIC };
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key = '', value = ''] = pair.split('=');
    const field = TRAFFIC_KEYS[key.trim()];
    const n = Number(value);
    if (!field) throw new UsageError(`--traffic: unknown key "${key}"; the keys are ${Object.keys(TRAFFIC_KEYS).join(', ')}`);
    if (!value.trim() || !Number.isFinite(n) || n < 0)
      throw new UsageError(`--traffic: ${key} must be a number of 0 or more, not "${value}"`);
    if (field === 'plainHttpShare' && n > 1) throw new UsageError(`--traffic: http is a share of the requests, 0 to 1, not "${value}"`);
    traffic[field] = n;
  }
  return traffic;
}
