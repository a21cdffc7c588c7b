// Prices as data with a date: the table the cost model reads, its shape, and the one lookup that
// refuses to price what the table does not know. A missing price is never zero and never a guess.
import { AWS_REGIONS, SERVING_PARTITION } from '../aws-regions.js';

/** Where a figure came from, and when it was read there. */
export interface PriceSource {
  readonly id: string;
  /** The page the figures were actually read on (not the page it quotes). */
  readonly url: string;
  /** YYYY-MM-DD: the day the page was read. */
  readonly read: string;
  /** The page's own date (YYYY-MM-DD, or as much of it as the page gives, or "undated"): how fresh its figures are. */
  readonly published?: string;
  readonly note?: string;
}

/** A figure in US dollars and the source it came from, or why there is none. */
export type PriceEntry = { readonly usd: number; readonly source: string } | { readonly missing: string };

/** Per-hour prices of an instance type in a region. Spot is not here: see the model. */
export interface InstancePrices {
  /** Linux, shared tenancy, on-demand, per hour. */
  readonly on_demand_hour: PriceEntry;
  /** EKS Auto Mode's management fee for the type, per hour, on top of the EC2 price. */
  readonly auto_mode_hour: PriceEntry;
}

export interface RegionPrices {
  /** EKS cluster under standard support, per hour. */
  readonly eks_cluster_hour: PriceEntry;
  /**
   * The extended-support surcharge, per cluster-hour: billed on top of `eks_cluster_hour` while the
   * cluster's Kubernetes version is in extended support (the Price List's
   * `AmazonEKS-Hours:extendedSupport`, $0.50 beside the $0.10 standard rate).
   */
  readonly eks_extended_support_hour: PriceEntry;
  readonly nat_gateway_hour: PriceEntry;
  readonly nat_gateway_gb: PriceEntry;
  readonly nlb_hour: PriceEntry;
  readonly nlb_nlcu_hour: PriceEntry;
  readonly public_ipv4_hour: PriceEntry;
  /** Data transfer out to the internet, per GB, at the first paid tier (up to 10 TB a month). */
  readonly data_transfer_out_gb: PriceEntry;
  /** The same for the next 40 TB a month (10 TB to 50 TB). */
  readonly data_transfer_out_next_40tb_gb: PriceEntry;
  /** The same for the next 100 TB a month (50 TB to 150 TB). */
  readonly data_transfer_out_next_100tb_gb: PriceEntry;
  /** The same beyond 150 TB a month. */
  readonly data_transfer_out_over_150tb_gb: PriceEntry;
  readonly instances: Readonly<Record<string, InstancePrices>>;
}

/** Route53 is a global service: one price everywhere. */
export interface GlobalPrices {
  /** A basic health check of an AWS endpoint, per month. */
  readonly route53_health_check_month: PriceEntry;
  /** Each optional feature of such a check (HTTPS, fast interval, latency measurement), per month. */
  readonly route53_health_check_option_month: PriceEntry;
  /** Latency-routed queries, per million, at the first tier (up to 1 billion a month). */
  readonly route53_latency_queries_million: PriceEntry;
}

export interface PriceTable {
  /** The day the figures were read, YYYY-MM-DD. */
  readonly date: string;
  /** How the table was made: by hand from published pages, or by `kubecdn prices refresh`. */
  readonly made_by: string;
  readonly currency: 'USD';
  readonly sources: readonly PriceSource[];
  readonly global: GlobalPrices;
  readonly regions: Readonly<Record<string, RegionPrices>>;
}

export type RegionItem = Exclude<keyof RegionPrices, 'instances'>;
export type GlobalItem = keyof GlobalPrices;

/** What each item is called in messages. */
export const ITEM_NAMES: Record<RegionItem | GlobalItem | keyof InstancePrices, string> = {
  eks_cluster_hour: 'EKS cluster hour',
  eks_extended_support_hour: 'EKS extended support surcharge hour',
  nat_gateway_hour: 'NAT gateway hour',
  nat_gateway_gb: 'NAT gateway GB processed',
  nlb_hour: 'Network Load Balancer hour',
  nlb_nlcu_hour: 'Network Load Balancer NLCU-hour',
  public_ipv4_hour: 'public IPv4 address hour',
  data_transfer_out_gb: 'data transfer out to the internet per GB',
  data_transfer_out_next_40tb_gb: 'data transfer out to the internet per GB, next 40 TB',
  data_transfer_out_next_100tb_gb: 'data transfer out to the internet per GB, next 100 TB',
  data_transfer_out_over_150tb_gb: 'data transfer out to the internet per GB, over 150 TB',
  route53_health_check_month: 'Route53 health check month',
  route53_health_check_option_month: 'Route53 health check optional feature month',
  route53_latency_queries_million: 'Route53 latency queries per million',
  on_demand_hour: 'on-demand hour',
  auto_mode_hour: 'EKS Auto Mode fee hour',
};

/** A price the table does not have. Says which region (or "global") and which item. */
export class MissingPriceError extends Error {
  constructor(
    readonly region: string,
    readonly item: string,
    readonly why: string,
    readonly tableDate: string,
  ) {
    super(`no price for ${item} in ${region} (price table of ${tableDate}: ${why}); run \`kubecdn prices refresh\``);
    this.name = 'MissingPriceError';
  }
}

/**
 * The days the table's figures were read, from its sources: "2026-11-25 to 2026-12-05", or the one
 * day; the table's own date when no source gives one.
 */
export function pricesRead(table: PriceTable): string {
  const days = table.sources
    .map((s) => s.read)
    .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))
    .sort();
  const first = days[0] ?? table.date;
  const last = days[days.length - 1] ?? table.date;
  return first === last ? first : `${first} to ${last}`;
}

/** Every region the project can serve from: those of the serving partition. */
export function servableRegions(): string[] {
  return [...AWS_REGIONS.values()].filter((r) => r.partition === SERVING_PARTITION).map((r) => r.code);
}

const entryValue = (entry: PriceEntry | undefined): number | string =>
  entry === undefined ? 'not in the table' : 'usd' in entry ? entry.usd : entry.missing;

/** A region's price of `item`; throws MissingPriceError when the table lacks it. */
export function regionPrice(table: PriceTable, region: string, item: RegionItem): number {
  const value = entryValue(table.regions[region]?.[item]);
  if (typeof value === 'string') throw new MissingPriceError(region, ITEM_NAMES[item], value, table.date);
  return value;
}

export function instancePrice(table: PriceTable, region: string, instanceType: string, item: keyof InstancePrices): number {
  const value = entryValue(table.regions[region]?.instances[instanceType]?.[item]);
  if (typeof value === 'string') throw new MissingPriceError(region, `${instanceType} ${ITEM_NAMES[item]}`, value, table.date);
  return value;
}

export function globalPrice(table: PriceTable, item: GlobalItem): number {
  const value = entryValue(table.global[item]);
  if (typeof value === 'string') throw new MissingPriceError('global', ITEM_NAMES[item], value, table.date);
  return value;
}

/**
 * Checks a table read from JSON: the shape, a source for every figure, no negative or zero price
 * presented as a fact. Returns what is wrong, by path; empty when the table is sound.
 */
export function checkPriceTable(data: unknown): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(data)) return ['the table is not a JSON object'];
  if (typeof data['date'] !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(data['date'])) problems.push('date: not YYYY-MM-DD');
  if (typeof data['made_by'] !== 'string') problems.push('made_by: missing');
  if (data['currency'] !== 'USD') problems.push('currency: must be USD');
  const sources = Array.isArray(data['sources']) ? (data['sources'] as unknown[]) : [];
  if (!Array.isArray(data['sources'])) problems.push('sources: missing');
  const ids = new Set(sources.filter(isObject).map((s) => s['id']));
  const entry = (path: string, v: unknown) => {
    if (!isObject(v)) return problems.push(`${path}: missing`);
    if ('missing' in v) {
      if (typeof v['missing'] !== 'string' || !v['missing']) problems.push(`${path}: a missing price must say why`);
      return;
    }
    if (typeof v['usd'] !== 'number' || !(v['usd'] > 0)) problems.push(`${path}: usd must be a positive number`);
    if (!ids.has(v['source'])) problems.push(`${path}: source ${String(v['source'])} is not among the sources`);
  };
  const global = isObject(data['global']) ? data['global'] : {};
  for (const item of ['route53_health_check_month', 'route53_health_check_option_month', 'route53_latency_queries_million'])
    entry(`global.${item}`, global[item]);
  const regions = isObject(data['regions']) ? data['regions'] : {};
  for (const code of servableRegions()) {
    const region = regions[code];
    if (!isObject(region)) {
      problems.push(`regions.${code}: missing (every region kubeCDN can serve needs an entry, even of missing prices)`);
      continue;
    }
    for (const item of Object.keys(ITEM_NAMES).filter((k) => k.endsWith('_hour') || k.endsWith('_gb'))) {
      if (item === 'on_demand_hour' || item === 'auto_mode_hour') continue;
      entry(`regions.${code}.${item}`, region[item]);
    }
    const instances = isObject(region['instances']) ? region['instances'] : {};
    for (const [type, prices] of Object.entries(instances)) {
      const p = isObject(prices) ? prices : {};
      entry(`regions.${code}.instances.${type}.on_demand_hour`, p['on_demand_hour']);
      entry(`regions.${code}.instances.${type}.auto_mode_hour`, p['auto_mode_hour']);
    }
  }
  return problems;
}
