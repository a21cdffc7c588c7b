// kubecdn prices refresh: rebuilds the price table from the AWS Price List Query API
// (GetProducts, with filters, every page), one region at a time. A figure the API does not give,
// or gives twice with different values, is recorded as missing with the reason: never zero.
import { GetProductsCommand, paginateGetProducts, PricingClient, type Filter } from '@aws-sdk/client-pricing';
import { readFile } from 'node:fs/promises';
import { COMMITTED_PRICES } from '../core/cost/table.js';
import {
  checkPriceTable,
  servableRegions,
  type GlobalPrices,
  type InstancePrices,
  type PriceEntry,
  type PriceSource,
  type PriceTable,
  type RegionPrices,
} from '../core/cost/prices.js';
import { UsageError } from '../core/problems.js';

/** The instance types the table always carries: common compute-optimised and general-purpose ones. */
export const COMMON_INSTANCE_TYPES: readonly string[] = [
  'c5.large',
  'c6i.large',
  'c7i.large',
  'c7a.large',
  'c6a.large',
  'c7g.large',
  'm5.large',
  'm6i.large',
  'm7i.large',
  'm7g.large',
];

export const API_SOURCE: PriceSource = {
  id: 'price-list-api',
  url: 'https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html',
  read: '',
  note: 'AWS Price List Query API, GetProducts, on-demand terms',
};

/** The part of a Price List product the table reads (the Price List format's JSON). */
interface PriceListItem {
  readonly product?: { readonly productFamily?: string; readonly attributes?: Record<string, string> };
  readonly terms?: {
    readonly OnDemand?: Record<
      string,
      {
        readonly priceDimensions?: Record<
          string,
          {
            readonly unit?: string;
            readonly beginRange?: string;
            readonly endRange?: string;
            readonly pricePerUnit?: Record<string, string>;
          }
        >;
      }
    >;
  };
}

/** One query: the service, the filters, and which price dimension of a product is wanted. */
export interface PriceQuery {
  readonly serviceCode: string;
  readonly filters: readonly Filter[];
  /** Among the on-demand dimensions of a product, the one that is the price; default: the only one with a price. */
  readonly dimension?: (d: { unit: string; begin: number; end: number; usd: number }) => boolean;
  /** What the figure is, for the reason when it is missing. */
  readonly what: string;
}

const term = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });

const dataOutTier = (region: string, gb: number, tier: string): PriceQuery => ({
  serviceCode: 'AWSDataTransfer',
  filters: [term('fromRegionCode', region), term('transferType', 'AWS Outbound')],
  dimension: (d) => d.begin <= gb && gb < d.end && d.usd > 0,
  what: `data transfer out to the internet in ${region}, ${tier}`,
});

/** The queries for one region's items. Field names and values are the Price List's attributes. */
export function regionQueries(region: string): Record<Exclude<keyof RegionPrices, 'instances'>, PriceQuery> {
  const r = term('regionCode', region);
  return {
    eks_cluster_hour: {
      serviceCode: 'AmazonEKS',
      filters: [r, { Type: 'CONTAINS', Field: 'usagetype', Value: 'AmazonEKS-Hours:perCluster' }],
      what: `the EKS cluster hour in ${region}`,
    },
    // The surcharge on top of the perCluster hour, not the whole rate.
    eks_extended_support_hour: {
      serviceCode: 'AmazonEKS',
      filters: [r, { Type: 'CONTAINS', Field: 'usagetype', Value: 'AmazonEKS-Hours:extendedSupport' }],
      what: `the EKS extended-support surcharge in ${region}`,
    },
    nat_gateway_hour: {
      serviceCode: 'AmazonEC2',
      filters: [r, term('productFamily', 'NAT Gateway'), { Type: 'CONTAINS', Field: 'usagetype', Value: 'NatGateway-Hours' }],
      what: `the NAT gateway hour in ${region}`,
    },
    nat_gateway_gb: {
      serviceCode: 'AmazonEC2',
      filters: [r, term('productFamily', 'NAT Gateway'), { Type: 'CONTAINS', Field: 'usagetype', Value: 'NatGateway-Bytes' }],
      what: `NAT gateway data processing in ${region}`,
    },
    nlb_hour: {
      serviceCode: 'AWSELB',
      filters: [r, term('productFamily', 'Load Balancer-Network'), { Type: 'CONTAINS', Field: 'usagetype', Value: 'LoadBalancerUsage' }],
      what: `the NLB hour in ${region}`,
    },
    nlb_nlcu_hour: {
      serviceCode: 'AWSELB',
      filters: [r, term('productFamily', 'Load Balancer-Network'), { Type: 'CONTAINS', Field: 'usagetype', Value: 'LCUUsage' }],
      what: `the NLCU-hour in ${region}`,
    },
    public_ipv4_hour: {
      serviceCode: 'AmazonVPC',
      filters: [r, { Type: 'CONTAINS', Field: 'usagetype', Value: 'PublicIPv4:InUseAddress' }],
      what: `the public IPv4 address hour in ${region}`,
    },
    data_transfer_out_gb: {
      serviceCode: 'AWSDataTransfer',
      filters: [term('fromRegionCode', region), term('transferType', 'AWS Outbound')],
      // The first paid tier: the one that prices the 1,024th GB of a month.
      dimension: (d) => d.begin <= 1024 && 1024 < d.end && d.usd > 0,
      what: `data transfer out to the internet in ${region}`,
    },
    // The higher tiers, each found by a GB inside it (10 to 50 TB, 50 to 150 TB, over 150 TB).
    data_transfer_out_next_40tb_gb: dataOutTier(region, 20_480, 'the next 40 TB'),
    data_transfer_out_next_100tb_gb: dataOutTier(region, 102_400, 'the next 100 TB'),
    data_transfer_out_over_150tb_gb: dataOutTier(region, 204_800, 'over 150 TB'),
  };
}

export function instanceQueries(region: string, instanceType: string): Record<keyof InstancePrices, PriceQuery> {
  const r = term('regionCode', region);
  return {
    on_demand_hour: {
      serviceCode: 'AmazonEC2',
      filters: [
        r,
        term('instanceType', instanceType),
        term('operatingSystem', 'Linux'),
        term('tenancy', 'Shared'),
        term('preInstalledSw', 'NA'),
        term('capacitystatus', 'Used'),
      ],
      what: `${instanceType} on-demand in ${region}`,
    },
    // Auto Mode's fee is an AmazonEKS product (family Compute) of operation EKSAutoUsage and
    // eksproducttype AutoMode, whose type is the lowercase attribute `instancetype` (EC2's own
    // products spell it `instanceType`; the EKS offer does not).
    auto_mode_hour: {
      serviceCode: 'AmazonEKS',
      filters: [r, term('operation', 'EKSAutoUsage'), term('eksproducttype', 'AutoMode'), term('instancetype', instanceType)],
      what: `the EKS Auto Mode fee of ${instanceType} in ${region}`,
    },
  };
}

export function globalQueries(): Record<keyof GlobalPrices, PriceQuery> {
  return {
    route53_health_check_month: {
      serviceCode: 'AmazonRoute53',
      filters: [term('usagetype', 'Health-Check-AWS')],
      what: 'the Route53 health check of an AWS endpoint',
    },
    route53_health_check_option_month: {
      serviceCode: 'AmazonRoute53',
      filters: [term('usagetype', 'Health-Check-Option-AWS')],
      what: 'an optional feature of a Route53 health check',
    },
    route53_latency_queries_million: {
      serviceCode: 'AmazonRoute53',
      filters: [term('usagetype', 'LBR-Queries')],
      // Priced per query; the first tier (up to a billion a month).
      dimension: (d) => d.begin === 0 && d.usd > 0,
      what: 'Route53 latency-based routing queries',
    },
  };
}

const PER_MILLION: ReadonlySet<string> = new Set(['route53_latency_queries_million']);

/** Reads every page of one query and returns the one price it names, or why there is none. */
export async function fetchPrice(client: PricingClient, query: PriceQuery): Promise<PriceEntry> {
  const found = new Set<number>();
  const pages = paginateGetProducts(
    { client, pageSize: 100 },
    { ServiceCode: query.serviceCode, Filters: [...query.filters], FormatVersion: 'aws_v1', MaxResults: 100 },
  );
  for await (const page of pages) {
    for (const text of page.PriceList ?? []) {
      // The SDK hands each item over as a String object holding the JSON (a lazy JSON string).
      const item = JSON.parse(String(text)) as PriceListItem;
      for (const offer of Object.values(item.terms?.OnDemand ?? {})) {
        const dims = Object.values(offer.priceDimensions ?? {}).map((d) => ({
          unit: d.unit ?? '',
          begin: Number(d.beginRange ?? 0),
          end: d.endRange === 'Inf' || d.endRange === undefined ? Infinity : Number(d.endRange),
          usd: Number(d.pricePerUnit?.['USD'] ?? NaN),
        }));
        const wanted = dims.filter(query.dimension ?? ((d) => d.usd > 0));
        for (const d of wanted) if (Number.isFinite(d.usd) && d.usd > 0) found.add(d.usd);
      }
    }
  }
  if (found.size === 1) return { usd: [...found][0] as number, source: API_SOURCE.id };
  if (found.size === 0) return { missing: `the Price List API has no on-demand price for ${query.what}` };
  return { missing: `the Price List API gives ${found.size} different prices for ${query.what}: ${[...found].sort().join(', ')}` };
}

export interface RefreshOptions {
  readonly regions?: readonly string[];
  readonly instanceTypes?: readonly string[];
  /** The day of the refresh, YYYY-MM-DD. */
  readonly today: string;
  readonly log?: (line: string) => void;
}

/** The whole table, from the API: every region kubeCDN can serve, every instance type asked for. */
export async function refreshPrices(client: PricingClient, options: RefreshOptions): Promise<PriceTable> {
  const log = options.log ?? (() => {});
  const regions = options.regions ?? servableRegions();
  const types = options.instanceTypes ?? COMMON_INSTANCE_TYPES;
  const perMillion = (key: string, e: PriceEntry): PriceEntry =>
    PER_MILLION.has(key) && 'usd' in e ? { ...e, usd: Math.round(e.usd * 1e6 * 1e6) / 1e6 } : e;
  const global = Object.fromEntries(
    await Promise.all(Object.entries(globalQueries()).map(async ([k, q]) => [k, perMillion(k, await fetchPrice(client, q))] as const)),
  ) as unknown as GlobalPrices;
  const table: Record<string, RegionPrices> = {};
  for (const region of regions) {
    log(`prices: ${region} ...`);
    const items = Object.fromEntries(
      await Promise.all(Object.entries(regionQueries(region)).map(async ([k, q]) => [k, await fetchPrice(client, q)] as const)),
    );
    const instances: Record<string, InstancePrices> = {};
    for (const type of types) {
      const q = instanceQueries(region, type);
      const [onDemand, autoMode] = await Promise.all([fetchPrice(client, q.on_demand_hour), fetchPrice(client, q.auto_mode_hour)]);
      instances[type] = { on_demand_hour: onDemand, auto_mode_hour: autoMode };
    }
    table[region] = { ...(items as Omit<RegionPrices, 'instances'>), instances };
    const missing = [...Object.values(items), ...Object.values(instances).flatMap((i) => [i.on_demand_hour, i.auto_mode_hour])].filter(
      (e) => 'missing' in e,
    ).length;
    log(`prices: ${region} done${missing ? `, ${missing} missing` : ''}`);
  }
  return {
    date: options.today,
    made_by: 'kubecdn prices refresh, from the AWS Price List Query API',
    currency: 'USD',
    sources: [{ ...API_SOURCE, read: options.today }],
    global,
    regions: table,
  };
}

/** The price table at `file`, checked; the committed one when no file is given. */
export async function loadPriceTable(file: string | undefined): Promise<PriceTable> {
  if (!file) return COMMITTED_PRICES;
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--prices ${file}: ${(error as Error).message}`);
  }
  const problems = checkPriceTable(data);
  if (problems.length) throw new UsageError(`--prices ${file} is not a price table: ${problems.slice(0, 5).join('; ')}`);
  return data as PriceTable;
}

export { GetProductsCommand, PricingClient };
