// What a region costs a month, from what the region files and the stack decide: the EKS control
// plane, a NAT gateway per zone, the NLB, public IPv4 addresses, the nodes with Auto Mode's fee,
// the Route53 health check, and data out to the internet. A range: nodes at the minimum count,
// then at the maximum. Usage-driven parts take a stated assumption (Traffic).
import type { Config, Region } from '../config.js';
import { eksSupport } from '../eks-versions.js';
import type { RegionSpec } from '../schema.js';
import {
  billFigure,
  costDelta,
  NO_BILL,
  sumFigures,
  type Bill,
  type EstimatedPart,
  type Figure,
  type PerInstance,
  type UnpricedPart,
} from './bound.js';
import { globalPrice, instancePrice, MissingPriceError, pricesRead, regionPrice, type PriceTable, type RegionItem } from './prices.js';

/** Route53 bills no basic health check of an AWS endpoint among an account's first 50. */
export const FREE_HEALTH_CHECKS = 50;

/** Hours in the average month (8,760 / 12), as AWS's own calculator counts them. */
export const HOURS_PER_MONTH = 730;

/** Usage the model cannot know from the files: stated, and printed with every figure. */
export interface Traffic {
  /** GB sent to users a month, by each serving region. */
  readonly gbOut: number;
  /** Requests a month, by each serving region, each counted as a new connection (keep-alive makes fewer). */
  readonly requests: number;
  /** The share of requests (and bytes) over plain HTTP on port 80, 0 to 1; the rest is TLS on 443. Default 0. */
  readonly plainHttpShare?: number;
  /** GB fetched from the origin a month, by each serving region (through its NAT gateways). */
  readonly originGb: number;
  /** Latency-routed DNS queries a month, for the whole CDN (Route53 bills queries, not regions). */
  readonly dnsQueries: number;
}

export const DEFAULT_TRAFFIC: Traffic = { gbOut: 1000, requests: 50_000_000, originGb: 100, dnsQueries: 10_000_000 };

/** One node pool's capacity as the cost model needs it. */
export interface PoolCapacity {
  readonly name: string;
  readonly instanceTypes: readonly string[];
  readonly spot: boolean;
  readonly min: number;
  readonly max: number;
}

/**
 * The one place the model reads a region's capacity from the region files. When the stack's
 * capacity shape changes, only this function changes.
 */
export function regionCapacity(spec: RegionSpec): { readonly zones: number; readonly pools: readonly PoolCapacity[] } {
  return {
    zones: spec.cluster.availability_zones,
    pools: spec.cluster.node_groups.map((g, i) => ({
      name: g.name,
      instanceTypes: g.instance_types,
      spot: g.capacity_type === 'SPOT',
      // Auto Mode node pools keep no minimum: their nodes follow the edge's pods, which spread one
      // to a node, so the first pool holds at least min_replicas nodes. A min_size still written in
      // older files is what the estimate starts from.
      min: g.min_size ?? (i === 0 ? Math.min(g.max_size, spec.edge.min_replicas) : 0),
      max: g.max_size,
    })),
  };
}

/** One line of a bill: what, how it was counted, and the monthly figure at the minimum and maximum. */
export interface CostPart {
  readonly item: string;
  /** "3 × 730 h × $0.045/h": the quantity and unit price behind the figure. */
  readonly basis: string;
  readonly min: number;
  readonly max: number;
  /** 'at-most' when the figure is only the most the part can cost (spot nodes at the on-demand price). */
  readonly bound?: 'at-most';
}

export interface RegionCost extends Bill {
  readonly region: string;
  /** Runs (always-on, or scalable and enabled); a region that does not run costs nothing. */
  readonly running: boolean;
  readonly parts: readonly CostPart[];
  /** Prices the table lacks; with any, there is no total. */
  readonly missing: readonly MissingPriceError[];
  /** The total; NaN with a price missing. */
  readonly min: number;
  readonly max: number;
  /** The total, or at least the sum of the priced parts when a price is missing. */
  readonly figure: Figure;
}

export interface CostOptions {
  readonly prices: PriceTable;
  readonly traffic?: Traffic;
  /** Measured demand per region, where autoscaling metrics exist; else `traffic` for every region. */
  readonly measured?: Readonly<Record<string, Traffic>>;
  /** The day extended support is judged on, YYYY-MM-DD. */
  readonly today: string;
  /** Whether the Route53 health checks measure latency (an optional feature, billed). */
  readonly measureLatency?: boolean;
  /** Whether the latency records are aliases of the load balancers (queries not charged); default true. */
  readonly aliasRecords?: boolean;
}

export interface Assumptions {
  readonly hoursPerMonth: number;
  readonly traffic: Traffic;
  readonly measured: readonly string[];
  /** The price table's own date (the day it was made). */
  readonly pricesDate: string;
  /** The days its sources were read: "2026-11-25 to 2026-12-05", or one day. */
  readonly pricesRead: string;
  readonly notes: readonly string[];
}

export const NOTES: readonly string[] = [
  'nodes: the minimum count of each pool on its cheapest allowed instance type, the maximum count on its dearest',
  "spot nodes at the on-demand price, the most spot can charge: a bound counts a spot pool's EC2 part as at most that, never at least",
  'data out priced in tiers (first 10 TB, next 40 TB, next 100 TB, over 150 TB a month); the free 100 GB a month, account-wide, not counted, so the figure may slightly overstate',
  'NLB capacity units, an estimate from monthly sums (AWS bills the larger dimension hour by hour, which can only be more): for TLS on 443 the larger of GB processed and new TLS connections, for TCP on 80 the larger of GB and new flows, one connection per request',
  "Route53 health checks: the CDN's take the account's 50 free basic checks of AWS endpoints first (other checks in the account not known)",
  'not counted: EBS volumes, cross-zone traffic, the hosted zone, CloudWatch',
];

/** A bill's line is in cents, half up; the float noise under a millionth of a dollar goes first. */
export const cents = (v: number): number => Math.round(Math.round(v * 1e6) / 1e4) / 100;

/** A unit price as printed: up to six decimals, trailing zeros stripped, at least two. */
export const money = (v: number): string => `$${v.toFixed(6).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
const count = (v: number) => v.toLocaleString('en-US');

/** Data out to the internet: the GB of each tier a month, first to last, and the table's item. */
export const DATA_OUT_TIERS: readonly { readonly gb: number; readonly item: RegionItem }[] = [
  { gb: 10_240, item: 'data_transfer_out_gb' },
  { gb: 40_960, item: 'data_transfer_out_next_40tb_gb' },
  { gb: 102_400, item: 'data_transfer_out_next_100tb_gb' },
  { gb: Infinity, item: 'data_transfer_out_over_150tb_gb' },
];

/**
 * The monthly cost of one region. Every price the table lacks is listed in `missing` (region and
 * item); `min` and `max` are then NaN, never a partial sum presented as the total.
 */
export function regionCost(region: Region, config: Config, options: CostOptions): RegionCost {
  const code = region.region;
  if (!region.serving)
    return { region: code, running: false, parts: [], missing: [], min: 0, max: 0, ...NO_BILL, figure: billFigure(NO_BILL) };
  const { prices } = options;
  const traffic = options.measured?.[code] ?? options.traffic ?? DEFAULT_TRAFFIC;
  const H = HOURS_PER_MONTH;
  const missing: MissingPriceError[] = [];
  const parts: CostPart[] = [];
  const unpriced: UnpricedPart[] = [];
  const estimated: EstimatedPart[] = [];
  // Each part reads its prices through `need`, which notes a missing one and goes on, so that
  // every missing price of the region is named at once.
  let gaps: MissingPriceError[] = [];
  const need = (read: () => number): number => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof MissingPriceError)) throw error;
      if (!gaps.some((g) => g.message === error.message)) gaps.push(error);
      return NaN;
    }
  };
  // `inputs` is everything a part's figure depends on besides the region's prices: an unpriced
  // part with the same inputs on both sides of a change costs the same, and cancels (bound.ts).
  // A part billed per instance-hour carries `perInstance` for the dominance rule; an `upperOnly`
  // part is priced only from above (spot at on-demand), and a bound counts it so.
  const add = (
    item: string,
    inputs: object,
    compute: () => { basis: string; min: number; max?: number },
    kind: { perInstance?: PerInstance; upperOnly?: boolean } = {},
  ) => {
    gaps = [];
    const p = compute();
    const per = kind.perInstance ? { perInstance: kind.perInstance } : {};
    for (const gap of gaps) if (!missing.some((m) => m.message === gap.message)) missing.push(gap);
    if (gaps.length) return unpriced.push({ item, inputs: JSON.stringify(inputs), missing: gaps.map((g) => g.item), ...per });
    const part: CostPart = { item, basis: p.basis, min: cents(p.min), max: cents(p.max ?? p.min) };
    if (!kind.upperOnly) return parts.push(part);
    parts.push({ ...part, bound: 'at-most' });
    estimated.push({ item, inputs: JSON.stringify(inputs), upTo: { min: part.min, max: part.max }, ...per });
  };
  // One price of a pool's instances (EC2, or Auto Mode's fee): Auto Mode (Karpenter) may launch
  // any allowed type, so the minimum count takes the cheapest, the maximum the dearest, and the
  // range holds whatever it picks.
  const poolPart = (pool: PoolCapacity, item: 'on_demand_hour' | 'auto_mode_hour') => {
    const rates = pool.instanceTypes.map((type) => ({ type, rate: need(() => instancePrice(prices, code, type, item)) }));
    const cheapest = rates.reduce((x, y) => (y.rate < x.rate ? y : x));
    const dearest = rates.reduce((x, y) => (y.rate > x.rate ? y : x));
    const at = (r: (typeof rates)[number]) => `${r.type} × ${H} h × ${money(r.rate)}/h`;
    return {
      basis:
        cheapest === dearest
          ? `${pool.min} to ${pool.max} × ${at(cheapest)}`
          : `${pool.min} × ${at(cheapest)} to ${pool.max} × ${at(dearest)}`,
      min: pool.min * H * cheapest.rate,
      max: pool.max * H * dearest.rate,
    };
  };
  const { zones, pools } = regionCapacity(region.spec);

  const version = region.spec.cluster.kubernetes_version;
  const support = eksSupport(version, options.today).kind;
  add('EKS control plane', { extended: support !== 'standard' }, () => {
    const rate = need(() => regionPrice(prices, code, 'eks_cluster_hour'));
    // Extended support is a surcharge billed on top of the standard hour, not a rate of its own.
    // A version past extended support, or one not in the calendar, is priced as extended: AWS
    // upgrades an ended version, and the higher figure is the safe one for a version we cannot place.
    const extended = support !== 'standard';
    const surcharge = extended ? need(() => regionPrice(prices, code, 'eks_extended_support_hour')) : 0;
    const why = {
      standard: '',
      extended: ` (Kubernetes ${version} in extended support)`,
      ended: ` (Kubernetes ${version} past extended support: AWS upgrades it; priced as extended)`,
      unknown: ` (Kubernetes ${version} not in the support calendar: priced as extended)`,
    }[support];
    return {
      basis: extended ? `${H} h × (${money(rate)} + ${money(surcharge)} extended support)/h${why}` : `${H} h × ${money(rate)}/h`,
      min: H * (rate + surcharge),
    };
  });
  add('NAT gateways', { zones, originGb: traffic.originGb }, () => {
    const hour = need(() => regionPrice(prices, code, 'nat_gateway_hour'));
    const gb = need(() => regionPrice(prices, code, 'nat_gateway_gb'));
    return {
      basis: `${zones} zones × ${H} h × ${money(hour)}/h + ${count(traffic.originGb)} GB from the origin × ${money(gb)}/GB`,
      min: zones * H * hour + traffic.originGb * gb,
    };
  });
  add('Network Load Balancer', { gbOut: traffic.gbOut, requests: traffic.requests, plain: traffic.plainHttpShare ?? 0 }, () => {
    const hour = need(() => regionPrice(prices, code, 'nlb_hour'));
    const nlcu = need(() => regionPrice(prices, code, 'nlb_nlcu_hour'));
    // The NLB terminates TLS on 443 and passes plain TCP on 80 (manifests/base/service.yaml), and
    // bills each protocol's NLCUs apart: a TLS NLCU is 1 GB processed or 50 new TLS connections a
    // second, a TCP NLCU 1 GB or 800 new flows a second; per protocol the larger dimension counts.
    // AWS takes that larger one hour by hour; from monthly sums it is an estimate, never above the bill.
    const plain = traffic.plainHttpShare ?? 0;
    const tls = Math.max(traffic.gbOut * (1 - plain), (traffic.requests * (1 - plain)) / (50 * 3600));
    const tcp = Math.max(traffic.gbOut * plain, (traffic.requests * plain) / (800 * 3600));
    return {
      basis: `${H} h × ${money(hour)}/h + (${count(Math.round(tls))} TLS on 443 + ${count(Math.round(tcp))} TCP on 80) NLCU-h × ${money(nlcu)}`,
      min: H * hour + (tls + tcp) * nlcu,
    };
  });
  add('Public IPv4 addresses', { zones }, () => {
    const rate = need(() => regionPrice(prices, code, 'public_ipv4_hour'));
    // One per NAT gateway (its Elastic IP) and one per zone of the internet-facing NLB.
    const addresses = 2 * zones;
    return { basis: `${addresses} addresses × ${H} h × ${money(rate)}/h`, min: addresses * H * rate };
  });
  for (const pool of pools) {
    // The allowed types are a set: sorted, the same pool in another order is the same part.
    const types = [...pool.instanceTypes].sort();
    const inputs = { types, min: pool.min, max: pool.max };
    const perInstance = { types: JSON.stringify(types), min: pool.min, max: pool.max };
    // The EC2 instances and Auto Mode's fee are two parts, each priced or not on its own.
    add(`Nodes: ${pool.name}${pool.spot ? ' (spot)' : ''}`, inputs, () => poolPart(pool, 'on_demand_hour'), {
      perInstance,
      upperOnly: pool.spot,
    });
    add(`Nodes: ${pool.name} (Auto Mode fee)`, inputs, () => poolPart(pool, 'auto_mode_hour'), { perInstance });
  }
  const hc = config.cdn.health_check;
  const options_ = [
    ...(hc.protocol === 'HTTPS' ? ['HTTPS'] : []),
    ...(hc.interval_seconds === 10 ? ['fast interval'] : []),
    ...(options.measureLatency ? ['latency measurement'] : []),
  ];
  // Route53 does not bill the first 50 basic health checks of AWS endpoints in an account (its
  // optional features are billed all the same). The CDN's checks, one per serving region in the
  // files' order, take those first 50; checks the account holds besides are not known here.
  const ordinal = config.regions.filter((r) => r.serving).findIndex((r) => r.region === code);
  const free = ordinal < FREE_HEALTH_CHECKS;
  add('Route53 health check', { free, features: options_ }, () => {
    const base = need(() => globalPrice(prices, 'route53_health_check_month'));
    const option = options_.length ? need(() => globalPrice(prices, 'route53_health_check_option_month')) : 0;
    const features = options_.length ? ` + ${options_.join(', ')} × ${money(option)}` : '';
    return {
      basis: free
        ? `1 check, free as one of the first ${FREE_HEALTH_CHECKS} of AWS endpoints${features}`
        : `1 check × ${money(base)} (beyond the first ${FREE_HEALTH_CHECKS}, which are free)${features}`,
      min: (free ? 0 : base) + options_.length * option,
    };
  });
  add('Data out to the internet', { gbOut: traffic.gbOut }, () => {
    // Priced in tiers: each GB at the rate of the tier it falls in. Only the tiers the traffic
    // reaches need a price.
    const used = DATA_OUT_TIERS.map((tier, i) => {
      const from = DATA_OUT_TIERS.slice(0, i).reduce((n, t) => n + t.gb, 0);
      return { item: tier.item, gb: Math.max(0, Math.min(tier.gb, traffic.gbOut - from)) };
    }).filter((t, i) => i === 0 || t.gb > 0);
    const rated = used.map((t) => ({ ...t, rate: need(() => regionPrice(prices, code, t.item)) }));
    return {
      basis: rated.map((t) => `${count(t.gb)} GB × ${money(t.rate)}/GB`).join(' + '),
      min: rated.reduce((n, t) => n + t.gb * t.rate, 0),
    };
  });
  const exact = parts.filter((p) => !p.bound);
  const priced = { min: cents(exact.reduce((n, p) => n + p.min, 0)), max: cents(exact.reduce((n, p) => n + p.max, 0)) };
  const bill: Bill = { priced, unpriced, estimated };
  const upTo = (k: 'min' | 'max') => cents(priced[k] + estimated.reduce((n, p) => n + p.upTo[k], 0));
  return {
    region: code,
    running: true,
    parts,
    missing,
    min: missing.length ? NaN : upTo('min'),
    max: missing.length ? NaN : upTo('max'),
    ...bill,
    figure: billFigure(bill),
  };
}

export interface CdnCost {
  readonly regions: readonly RegionCost[];
  /** Route53 latency queries: billed for the CDN as a whole once any region serves. */
  readonly shared: readonly CostPart[];
  /** The shared parts as a bill, for the bound: priced, or not. */
  readonly sharedBill: Bill;
  readonly missing: readonly MissingPriceError[];
  /** The total; NaN with a price missing. */
  readonly min: number;
  readonly max: number;
  /**
   * The total, from every region's parts and the shared ones: at least what is priced exactly when
   * a price is missing (spot pools adding nothing), else at most the upper figure with spot pools.
   */
  readonly figure: Figure;
  readonly assumptions: Assumptions;
}

export function cdnCost(config: Config, options: CostOptions): CdnCost {
  const regions = config.regions.map((r) => regionCost(r, config, options));
  const traffic = options.traffic ?? DEFAULT_TRAFFIC;
  const shared: CostPart[] = [];
  const unpriced: UnpricedPart[] = [];
  const missing: MissingPriceError[] = regions.flatMap((r) => r.missing);
  if (regions.some((r) => r.running) && options.aliasRecords !== false) {
    // kubeCDN's latency records are aliases of the load balancers: Route53 does not charge their queries.
    shared.push({
      item: 'Route53 latency queries',
      basis: `${count(traffic.dnsQueries)} queries to alias records of load balancers: not charged`,
      min: 0,
      max: 0,
    });
  } else if (regions.some((r) => r.running)) {
    try {
      const rate = globalPrice(options.prices, 'route53_latency_queries_million');
      const v = (traffic.dnsQueries / 1e6) * rate;
      shared.push({
        item: 'Route53 latency queries',
        basis: `${count(traffic.dnsQueries)} queries × ${money(rate)}/million`,
        min: v,
        max: v,
      });
    } catch (error) {
      if (!(error instanceof MissingPriceError)) throw error;
      missing.push(error);
      unpriced.push({ item: 'Route53 latency queries', inputs: JSON.stringify({ dnsQueries: traffic.dnsQueries }), missing: [error.item] });
    }
  }
  const sharedBill: Bill = {
    priced: { min: shared.reduce((n, p) => n + p.min, 0), max: shared.reduce((n, p) => n + p.max, 0) },
    unpriced,
  };
  const total = (k: 'min' | 'max') => (missing.length ? NaN : regions.reduce((n, r) => n + r[k], 0) + shared.reduce((n, p) => n + p[k], 0));
  // The figure of the whole bill, from every part: one region's unpriced part and another's spot
  // pool make a lower bound (what is priced exactly), where summing the regions' figures, one at
  // least and one at most, would bound nothing. A delta keeps to each region's own (cdnDelta).
  const bills: Bill[] = [...regions, sharedBill];
  const whole: Bill = {
    priced: { min: bills.reduce((n, b) => n + b.priced.min, 0), max: bills.reduce((n, b) => n + b.priced.max, 0) },
    unpriced: bills.flatMap((b) => b.unpriced),
    estimated: bills.flatMap((b) => b.estimated ?? []),
  };
  return {
    regions,
    shared,
    sharedBill,
    missing,
    min: total('min'),
    max: total('max'),
    figure: billFigure(whole),
    assumptions: assumptions(options),
  };
}

function assumptions(options: CostOptions): Assumptions {
  return {
    hoursPerMonth: HOURS_PER_MONTH,
    traffic: options.traffic ?? DEFAULT_TRAFFIC,
    measured: Object.keys(options.measured ?? {}),
    pricesDate: options.prices.date,
    pricesRead: pricesRead(options.prices),
    notes: NOTES,
  };
}

export interface RegionDelta {
  readonly region: string;
  readonly before?: RegionCost;
  readonly after?: RegionCost;
  /** after − before, at the minimum and at the maximum; NaN when a price is missing on either side. */
  readonly min: number;
  readonly max: number;
  /** after − before, or what is known of it (costDelta). */
  readonly figure: Figure;
}

export interface CostChange {
  readonly before: CdnCost | undefined;
  readonly after: CdnCost;
  /** Regions whose cost changes, in the head's order, then the removed ones. */
  readonly changed: readonly RegionDelta[];
  readonly min: number;
  readonly max: number;
  /** The whole CDN's after − before, or what is known of it. */
  readonly figure: Figure;
}

/** Every region's delta (a region absent on one side costs nothing there), in `after`'s order, then the removed ones. */
export function regionDeltas(before: CdnCost | undefined, after: CdnCost): RegionDelta[] {
  const codes = [...new Set([...after.regions.map((r) => r.region), ...(before?.regions ?? []).map((r) => r.region)])];
  const value = (c: RegionCost | undefined, k: 'min' | 'max') => (c ? c[k] : 0);
  return codes.map((code) => {
    const b = before?.regions.find((r) => r.region === code);
    const a = after.regions.find((r) => r.region === code);
    return {
      region: code,
      ...(b ? { before: b } : {}),
      ...(a ? { after: a } : {}),
      min: value(a, 'min') - value(b, 'min'),
      max: value(a, 'max') - value(b, 'max'),
      figure: costDelta(b, a),
    };
  });
}

/** The whole CDN's after − before, or what is known of it: the regions' deltas and the shared parts', summed. */
export function cdnDelta(before: CdnCost | undefined, after: CdnCost): Figure {
  return sumFigures([...regionDeltas(before, after).map((d) => d.figure), costDelta(before?.sharedBill, after.sharedBill)]);
}

/** Before → after for a change: per region and in total. A region absent on one side costs nothing there. */
export function costChange(base: Config | undefined, head: Config, options: CostOptions): CostChange {
  const before = base ? cdnCost(base, options) : undefined;
  const after = cdnCost(head, options);
  const changed = regionDeltas(before, after).filter((d) => !(d.figure.bound === 'exact' && d.figure.min === 0 && d.figure.max === 0));
  return {
    before,
    after,
    changed,
    min: after.min - (before?.min ?? 0),
    max: after.max - (before?.max ?? 0),
    figure: cdnDelta(before, after),
  };
}
