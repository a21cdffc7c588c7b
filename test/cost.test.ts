// The cost model, pure: a small region priced by hand, part by part, to the cent; the monotonic
// properties a reviewer relies on; a missing price named by region and item; the budget key.
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/core/config.js';
import { cdnCost, costChange, money, regionCost, type CostOptions, type Traffic } from '../src/core/cost/model.js';
import { regionSwitchCost, regionsSwitchCost } from '../src/core/cost/switch.js';
import { MissingPriceError, pricesRead, type PriceEntry, type PriceTable, type RegionPrices } from '../src/core/cost/prices.js';
import { costChangeToJson, costChangeToText, costSectionMarkdown, deltaText, usd } from '../src/core/cost/render.js';
import { COMMITTED_PRICES, parseTraffic } from '../src/core/cost/table.js';
import { CDN_YAML } from './fixtures.js';

const S = 'test-sheet';
const p = (usd: number): PriceEntry => ({ usd, source: S });

function regionPrices(scale = 1): RegionPrices {
  return {
    eks_cluster_hour: p(0.1),
    eks_extended_support_hour: p(0.5),
    nat_gateway_hour: p(0.048 * scale),
    nat_gateway_gb: p(0.048 * scale),
    nlb_hour: p(0.0252 * scale),
    nlb_nlcu_hour: p(0.006 * scale),
    public_ipv4_hour: p(0.005),
    data_transfer_out_gb: p(0.09 * scale),
    data_transfer_out_next_40tb_gb: p(0.085 * scale),
    data_transfer_out_next_100tb_gb: p(0.07 * scale),
    data_transfer_out_over_150tb_gb: p(0.05 * scale),
    instances: {
      'c6i.large': { on_demand_hour: p(0.096 * scale), auto_mode_hour: p(0.0115 * scale) },
      'c7i.large': { on_demand_hour: p(0.1008 * scale), auto_mode_hour: p(0.0121 * scale) },
      'c5.large': { on_demand_hour: p(0.101 * scale), auto_mode_hour: p(0.0121 * scale) },
    },
  };
}

/** A price sheet for the tests: its figures are the test's own, not AWS's. */
const TABLE: PriceTable = {
  date: '2026-11-01',
  made_by: 'test',
  currency: 'USD',
  sources: [{ id: S, url: 'https://example.com/sheet', read: '2026-11-01' }],
  global: {
    route53_health_check_month: p(0.5),
    route53_health_check_option_month: p(1),
    route53_latency_queries_million: p(0.6),
  },
  regions: { 'eu-west-1': regionPrices(), 'us-east-1': regionPrices(0.9), 'sa-east-1': regionPrices(1.6), 'ap-south-1': regionPrices(1.1) },
};

const TRAFFIC: Traffic = { gbOut: 500, requests: 36_000_000, originGb: 40, dnsQueries: 1_000_000 };
// 1.31 is in extended support on this day (standard ended 2025-11-26).
const OPTIONS: CostOptions = { prices: TABLE, traffic: TRAFFIC, today: '2026-06-01' };

interface RegionOpts {
  code: string;
  enabled?: boolean;
  zones?: number;
  version?: string;
  od?: [number, number];
  spot?: [number, number];
  types?: string[];
  extraPool?: { name: string; types: string[]; min: number; max: number };
}

function regionYaml(o: RegionOpts): string {
  return [
    `  - region: ${o.code}`,
    ...(o.enabled === undefined ? [] : [`    enabled: ${String(o.enabled)}`]),
    `    cluster:`,
    `      kubernetes_version: "${o.version ?? '1.35'}"`,
    `      availability_zones: ${o.zones ?? 3}`,
    `      node_groups:`,
    `        - name: edge`,
    `          instance_types: [${(o.types ?? ['c7i.large', 'c6i.large']).join(', ')}]`,
    `          min_size: ${o.od?.[0] ?? 2}`,
    `          max_size: ${o.od?.[1] ?? 6}`,
    ...(o.extraPool
      ? [
          `        - name: ${o.extraPool.name}`,
          `          instance_types: [${o.extraPool.types.join(', ')}]`,
          `          min_size: ${o.extraPool.min}`,
          `          max_size: ${o.extraPool.max}`,
        ]
      : []),
    ...(o.spot
      ? [
          `        - name: edge-spot`,
          `          instance_types: [c5.large]`,
          `          capacity_type: SPOT`,
          `          min_size: ${o.spot[0]}`,
          `          max_size: ${o.spot[1]}`,
        ]
      : []),
    `    edge:`,
    `      min_replicas: 1`,
    `      max_replicas: 4`,
    `      cache_size: 10Gi`,
  ].join('\n');
}

function config(alwaysOn: RegionOpts[], scalable: RegionOpts[] = [], cdnExtra = ''): Config {
  const result = loadConfig(
    {
      'always-on': { path: 'regions/always-on.yaml', text: `regions:\n${alwaysOn.map(regionYaml).join('\n')}\n` },
      ...(scalable.length
        ? { scalable: { path: 'regions/scalable.yaml', text: `regions:\n${scalable.map(regionYaml).join('\n')}\n` } }
        : {}),
      cdn: { path: 'regions/cdn.yaml', text: CDN_YAML + cdnExtra },
    },
    {},
  );
  if (!result.config) throw new Error(result.problems.map((x) => x.message).join('\n'));
  return result.config;
}

function at<T>(list: readonly T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new Error(`no item ${i}`);
  return item;
}

const FAST_HTTPS = '  health_check:\n    protocol: HTTPS\n    interval_seconds: 10\n';

describe('a small region, priced by hand', () => {
  const small = config([{ code: 'eu-west-1', zones: 2, version: '1.31', od: [1, 3], spot: [0, 2] }], [], FAST_HTTPS);
  const cost = regionCost(at(small.regions, 0), small, OPTIONS);

  it('has every part, each to the cent', () => {
    const parts = Object.fromEntries(cost.parts.map((x) => [x.item, [Math.round(x.min * 100) / 100, Math.round(x.max * 100) / 100]]));
    expect(parts).toEqual({
      // 730 h × ($0.10 + $0.50 surcharge) (1.31 is in extended support on 2026-06-01)
      'EKS control plane': [438, 438],
      // 2 zones × 730 h × $0.048 = 70.08, + 40 GB × $0.048 = 1.92
      'NAT gateways': [72, 72],
      // 730 h × $0.0252 = 18.396, + every request over TLS on 443: max(500 GB, 36e6 / (50 × 3600) = 200)
      // = 500 NLCU-h × $0.006 = 3
      'Network Load Balancer': [21.4, 21.4],
      // (2 NAT EIPs + 2 NLB addresses) × 730 h × $0.005
      'Public IPv4 addresses': [14.6, 14.6],
      // Auto Mode may launch either allowed type: the minimum on the cheapest, the maximum on the
      // dearest, the EC2 price and the fee each: 1 × 730 h × $0.096 (c6i.large) = 70.08 to
      // 3 × 730 h × $0.1008 (c7i.large) = 220.752; each in cents, half up
      'Nodes: edge': [70.08, 220.75],
      // 1 × 730 h × $0.0115 = 8.395 to 3 × 730 h × $0.0121 = 26.499
      'Nodes: edge (Auto Mode fee)': [8.4, 26.5],
      // c5.large at the on-demand price: 0 and 2 × 730 h × $0.101 = 147.46
      'Nodes: edge-spot (spot)': [0, 147.46],
      // 2 × 730 h × $0.0121 = 17.666
      'Nodes: edge-spot (Auto Mode fee)': [0, 17.67],
      // the basic check free (one of the account's first 50 of AWS endpoints), + HTTPS $1 + fast interval $1
      'Route53 health check': [2, 2],
      // 500 GB × $0.09
      'Data out to the internet': [45, 45],
    });
  });

  it('totals at most $671.48 to $1,005.38 (the sum of the lines; spot at on-demand), and says what it assumed', () => {
    // 438 + 72 + 21.40 + 14.60 + 70.08 + 8.40 + 0 + 0 + 2 + 45, and with 220.75, 26.50, 147.46
    // and 17.67 at the maximum. The spot pool's EC2 part is the most spot can charge, so the total
    // is at most that: without it, 671.48 and 857.92 are all that is known from below.
    expect(cost.min).toBe(671.48);
    expect(cost.max).toBe(1005.38);
    expect(cost.figure).toEqual({ bound: 'at-most', min: 671.48, max: 1005.38 });
    expect(cost.priced).toEqual({ min: 671.48, max: 857.92 });
    const text = costChangeToText(costChange(undefined, small, OPTIONS));
    expect(text).toContain('eu-west-1  at most $671.48 to at most $1,005 a month');
    expect(text).toMatch(/Nodes: edge-spot \(spot\)\s+at most \$0\.00 to at most \$147\.46 {2}0 to 2 × c5\.large/);
    expect(text).toContain('Assumed per serving region a month: 500 GB out, 36,000,000 requests, 40 GB from the origin');
    expect(text).toContain('730 hours a month; prices read 2026-11-01 (sources and their dates in the price table)');
    expect(text).toContain('1 × c6i.large × 730 h × $0.096/h to 3 × c7i.large × 730 h × $0.1008/h');
    expect(text).toContain('1 × c6i.large × 730 h × $0.0115/h to 3 × c7i.large × 730 h × $0.0121/h');
    expect(text).toContain('1 check, free as one of the first 50 of AWS endpoints + HTTPS, fast interval × $1.00');
    expect(text).toContain("Route53 health checks: the CDN's take the account's 50 free basic checks of AWS endpoints first");
    expect(text).toContain('0 to 2 × c5.large × 730 h × $0.101/h');
    expect(JSON.stringify(costChangeToJson(costChange(undefined, small, OPTIONS)))).toContain(
      '"item":"Nodes: edge-spot (spot)","basis":"0 to 2 × c5.large × 730 h × $0.101/h","min":0,"max":147.46,"bound":"at-most"',
    );
  });

  it('with another region lacking a price, totals at least the exact parts of both, not unknown', () => {
    // us-east-1 (3 zones, 2 to 6 nodes, its prices at 0.9 of eu-west-1's) without a price for data
    // out: at least 73 + NAT 3 × 730 × 0.0432 + 40 × 0.0432 = 96.34 + NLB 730 × 0.02268 + 500 ×
    // 0.0054 = 19.26 + 6 × 730 × 0.005 = 21.90 + nodes 2 × 730 × 0.0864 = 126.14 to 6 × 730 ×
    // 0.09072 = 397.35 + fee 2 × 730 × 0.01035 = 15.11 to 6 × 730 × 0.01089 = 47.70 + the checks'
    // options 2: 353.75 to 657.55. With eu-west-1's exact parts (above), 671.48 to 857.92, and
    // its spot pool costing from nothing up: at least 1,025.23 to 1,515.47.
    const us: RegionPrices = { ...regionPrices(0.9), data_transfer_out_gb: { missing: 'not published' } };
    const options: CostOptions = { ...OPTIONS, prices: { ...TABLE, regions: { ...TABLE.regions, 'us-east-1': us } } };
    const two = config([{ code: 'eu-west-1', zones: 2, version: '1.31', od: [1, 3], spot: [0, 2] }, { code: 'us-east-1' }], [], FAST_HTTPS);
    const cdn = cdnCost(two, options);
    expect(cdn.regions.map((r) => r.figure.bound)).toEqual(['at-most', 'at-least']);
    expect(cdn.figure.bound).toBe('at-least');
    expect(cdn.figure.min).toBeCloseTo(1025.23, 6);
    expect(cdn.figure.max).toBeCloseTo(1515.47, 6);
    expect(costChangeToText(costChange(undefined, two, options))).toContain('Total: at least $1,025 to at least $1,515 a month');
  });

  it('says a spot pool shrinking, its Auto Mode fee unpriced, costs ±$0 or less', () => {
    // 0 to 2 spot nodes → 0 to 1: the EC2 part, priced only from above, and the fee, not priced at
    // all, both cost no more after; every exact part is unchanged. The delta is at most 0 at both ends.
    const eu = regionPrices();
    const options: CostOptions = {
      ...OPTIONS,
      prices: {
        ...TABLE,
        regions: {
          ...TABLE.regions,
          'eu-west-1': {
            ...eu,
            instances: { ...eu.instances, 'c5.large': { on_demand_hour: p(0.101), auto_mode_hour: { missing: 'not published' } } },
          },
        },
      },
    };
    const spot = (max: number) => config([{ code: 'eu-west-1', spot: [0, max] }]);
    const change = costChange(spot(2), spot(1), options);
    expect(change.changed.map((d) => d.figure)).toEqual([{ bound: 'at-most', min: 0, max: 0 }]);
    expect(costChangeToText(change)).toMatch(/eu-west-1\s+changed\s+at least .* → at least .* {2}\(±\$0 or less a month\)/);
    expect(costSectionMarkdown(change)).toContain(' | ±$0 or less |');
    expect(deltaText({ bound: 'at-most', min: 0.001, max: -0.004 })).toBe('±$0 or less');
    expect(deltaText({ bound: 'at-most', min: 0, max: -8.83 })).toBe('saves at least $0.00 to saves at least $8.83');
  });

  it('prices the control plane at the standard rate when the version is in standard support', () => {
    const current = config([{ code: 'eu-west-1', zones: 2, od: [1, 3] }]);
    expect(regionCost(at(current.regions, 0), current, OPTIONS).parts[0]?.min.toFixed(2)).toBe('73.00');
  });

  it('adds the extended-support surcharge to the standard hour, as the Price List bills them', () => {
    const part = cost.parts[0];
    expect(part?.basis).toBe('730 h × ($0.10 + $0.50 extended support)/h (Kubernetes 1.31 in extended support)');
    // A table whose surcharge is the Price List's $0.50 must not bill 730 × $0.50 = $365.
    expect(part?.min).toBe(438);
  });

  it('says so when a version is past extended support, and prices it as extended rather than standard', () => {
    const ended = config([{ code: 'eu-west-1', zones: 2, version: '1.31', od: [1, 3] }]);
    const part = regionCost(at(ended.regions, 0), ended, { ...OPTIONS, today: '2030-01-01' }).parts[0];
    expect(part?.basis).toBe(
      '730 h × ($0.10 + $0.50 extended support)/h (Kubernetes 1.31 past extended support: AWS upgrades it; priced as extended)',
    );
    expect(part?.min).toBe(438);
  });

  it('counts NLB capacity per listener: TLS on 443 by new TLS connections, TCP on 80 by new flows', () => {
    // 360 million requests, half of them plain HTTP on 80, 500 GB out split the same way.
    // TLS: max(250 GB, 180e6 / (50 × 3600) = 1,000) = 1,000; TCP: max(250 GB, 180e6 / (800 × 3600) = 62.5) = 250.
    // 730 h × $0.0252 = 18.396, + 1,250 NLCU-h × $0.006 = 7.50; each request counted as a TLS
    // connection would have made 2,000 NLCU-h.
    const busy = regionCost(at(small.regions, 0), small, {
      ...OPTIONS,
      traffic: { ...TRAFFIC, requests: 360_000_000, plainHttpShare: 0.5 },
    });
    const nlb = busy.parts.find((x) => x.item === 'Network Load Balancer');
    expect(nlb?.min).toBe(25.9);
    expect(nlb?.basis).toBe('730 h × $0.0252/h + (1,000 TLS on 443 + 250 TCP on 80) NLCU-h × $0.006');
    expect(costChangeToText(costChange(undefined, small, { ...OPTIONS, traffic: { ...TRAFFIC, plainHttpShare: 0.5 } }))).toContain(
      '36,000,000 requests (50% plain HTTP on port 80), 40 GB from the origin',
    );
    expect(parseTraffic('http=0.25').plainHttpShare).toBe(0.25);
    expect(() => parseTraffic('http=2')).toThrow('--traffic: http is a share of the requests, 0 to 1, not "2"');
  });

  it('takes measured demand for a region over the assumption', () => {
    const measured = regionCost(at(small.regions, 0), small, { ...OPTIONS, measured: { 'eu-west-1': { ...TRAFFIC, gbOut: 1500 } } });
    // 1,000 GB more: $90 of data out and 1,000 NLCU-h × $0.006 = $6 more.
    expect(measured.min - cost.min).toBeCloseTo(96, 9);
  });
});

describe('monotonic', () => {
  const total = (c: Config) => cdnCost(c, OPTIONS);

  it('more nodes never cost less', () => {
    const pairs: [[number, number], [number, number]][] = [
      [
        [1, 3],
        [2, 3],
      ],
      [
        [2, 3],
        [2, 8],
      ],
      [
        [0, 1],
        [5, 9],
      ],
    ];
    for (const [a, b] of pairs) {
      const less = total(config([{ code: 'us-east-1', od: a, spot: [0, 1] }]));
      const more = total(config([{ code: 'us-east-1', od: b, spot: [0, 1] }]));
      expect(more.min).toBeGreaterThanOrEqual(less.min);
      expect(more.max).toBeGreaterThanOrEqual(less.max);
    }
  });

  it('more zones never cost less', () => {
    let previous = -Infinity;
    for (const zones of [2, 3, 4, 5, 6]) {
      const c = total(config([{ code: 'sa-east-1', zones }]));
      expect(c.min).toBeGreaterThan(previous);
      previous = c.min;
    }
  });

  it('more regions never cost less, and switching a region off never costs more', () => {
    const codes = ['us-east-1', 'eu-west-1', 'sa-east-1', 'ap-south-1'];
    let previous = 0;
    for (let n = 1; n <= codes.length; n++) {
      const rest = codes.slice(1, n);
      const on = total(
        config(
          [{ code: at(codes, 0) }],
          rest.map((code) => ({ code, enabled: true })),
        ),
      );
      expect(on.min).toBeGreaterThan(previous);
      previous = on.min;
      for (const code of rest) {
        const off = total(
          config(
            [{ code: at(codes, 0) }],
            rest.map((c) => ({ code: c, enabled: c !== code })),
          ),
        );
        expect(off.min).toBeLessThan(on.min);
        expect(off.max).toBeLessThan(on.max);
      }
    }
  });
});

describe('monotonic, as lower bounds with the committed table (prices missing)', () => {
  const options: CostOptions = { prices: COMMITTED_PRICES, traffic: TRAFFIC, today: '2026-06-01' };
  const floor = (c: Config) => {
    const f = cdnCost(c, options).figure;
    expect(f.bound).toBe('at-least');
    return f;
  };

  it('more nodes, zones or regions never lower the bound', () => {
    // The pools' EC2 parts are priced in us-east-1 (only the fees are missing), so the bound counts
    // the nodes: a count that grows raises the bound at its end, one that stays keeps it.
    for (const [a, b] of [
      [
        [1, 3],
        [2, 3],
      ],
      [
        [2, 3],
        [2, 8],
      ],
      [
        [1, 3],
        [5, 9],
      ],
    ] as [number, number][][]) {
      const [less, more] = [
        floor(config([{ code: 'us-east-1', od: a as [number, number] }])),
        floor(config([{ code: 'us-east-1', od: b as [number, number] }])),
      ];
      if ((b?.[0] ?? 0) > (a?.[0] ?? 0)) expect(more.min).toBeGreaterThan(less.min);
      else expect(more.min).toBe(less.min);
      if ((b?.[1] ?? 0) > (a?.[1] ?? 0)) expect(more.max).toBeGreaterThan(less.max);
      else expect(more.max).toBe(less.max);
    }
    let previous = -Infinity;
    for (const zones of [2, 3, 4, 5, 6]) {
      const f = floor(config([{ code: 'us-east-1', zones }]));
      expect(f.min).toBeGreaterThan(previous);
      previous = f.min;
    }
    const codes = ['us-east-1', 'ap-south-1', 'sa-east-1', 'eu-west-1'];
    previous = -Infinity;
    for (let n = 1; n <= codes.length; n++) {
      const f = floor(
        config(
          [{ code: 'us-east-1' }],
          codes.slice(1, n).map((code) => ({ code, enabled: true })),
        ),
      );
      expect(f.min).toBeGreaterThan(previous);
      previous = f.min;
    }
  });
});

describe('a missing price', () => {
  const withoutFee: PriceTable = {
    ...TABLE,
    regions: {
      ...TABLE.regions,
      'ap-south-1': {
        ...regionPrices(1.1),
        instances: {
          ...regionPrices(1.1).instances,
          'c7i.large': { on_demand_hour: p(0.11), auto_mode_hour: { missing: 'not published yet' } },
        },
      },
    },
  };
  const c = config([{ code: 'us-east-1' }], [{ code: 'ap-south-1', enabled: false }]);

  it('is an error naming the region and the item, never zero', () => {
    expect(() => regionSwitchCost(c, 'ap-south-1', { ...OPTIONS, prices: withoutFee })).toThrow(
      new MissingPriceError('ap-south-1', 'c7i.large EKS Auto Mode fee hour', 'not published yet', '2026-11-01'),
    );
    expect(() => regionSwitchCost(c, 'ap-south-1', { ...OPTIONS, prices: withoutFee })).toThrow(
      'no price for c7i.large EKS Auto Mode fee hour in ap-south-1 (price table of 2026-11-01: not published yet)',
    );
    const on = regionCost({ ...at(c.regions, 1), serving: true }, c, { ...OPTIONS, prices: withoutFee });
    expect(on.min).toBeNaN();
    // The pool's EC2 part is priced; only its Auto Mode fee part is not.
    expect(on.parts.map((x) => x.item)).toContain('Nodes: edge');
    expect(on.parts.map((x) => x.item)).not.toContain('Nodes: edge (Auto Mode fee)');
    expect(on.unpriced.map((x) => x.item)).toEqual(['Nodes: edge (Auto Mode fee)']);
  });

  it('names a region absent from the table', () => {
    const eu = config([{ code: 'eu-central-1' }]);
    const cost = cdnCost(eu, OPTIONS);
    expect(cost.missing.map((m) => m.message)).toContain(
      'no price for EKS cluster hour in eu-central-1 (price table of 2026-11-01: not in the table); run `kubecdn prices refresh`',
    );
    expect(costChangeToText(costChange(undefined, eu, OPTIONS))).toContain(
      'prices missing, so the figures that need them are lower bounds ("at least") or unknown: eu-central-1: EKS cluster hour',
    );
  });
});

describe('the committed price table', () => {
  // What a user sees today with src/core/cost/prices.json, each part worked out here by hand from
  // its figures. No region has a total until the table carries EKS Auto Mode fees; a pool's EC2
  // instances are priced apart from its fee, so the nodes count where their EC2 price is known.
  const options: CostOptions = { prices: COMMITTED_PRICES, traffic: TRAFFIC, today: '2026-06-01' };
  const cents = (cost: ReturnType<typeof regionCost>) => Object.fromEntries(cost.parts.map((x) => [x.item, Math.round(x.min * 100) / 100]));

  it('prices every part of us-east-1 but its Auto Mode fee, and names the two fees it lacks', () => {
    const c = config([{ code: 'us-east-1' }]);
    const cost = regionCost(at(c.regions, 0), c, options);
    expect(cents(cost)).toEqual({
      // 730 h × $0.10 (1.35 is in standard support)
      'EKS control plane': 73,
      // 3 zones × 730 h × $0.045 = 98.55, + 40 GB × $0.045 = 1.80
      'NAT gateways': 100.35,
      // 730 h × $0.0225 = 16.425, + max(500 GB, 36e6 / (50 × 3600) = 200) = 500 NLCU-h × $0.006 = 3
      'Network Load Balancer': 19.43,
      // (3 NAT EIPs + 3 NLB addresses) × 730 h × $0.005
      'Public IPv4 addresses': 21.9,
      // 2 × 730 h × $0.085 (c6i.large, the cheaper); at the maximum 6 × 730 h × $0.08925 (c7i.large) = 390.915
      'Nodes: edge': 124.1,
      // the basic check free, HTTPS $1
      'Route53 health check': 1,
      // 500 GB × $0.09
      'Data out to the internet': 45,
    });
    expect(cost.parts.find((x) => x.item === 'Nodes: edge')?.max).toBe(390.92);
    expect(cost.missing.map((m) => m.item)).toEqual(['c7i.large EKS Auto Mode fee hour', 'c6i.large EKS Auto Mode fee hour']);
    expect(cost.min).toBeNaN();
  });

  it('bounds us-east-1 from below by its priced parts, $384.78 to $651.60, never a total', () => {
    const c = config([{ code: 'us-east-1' }]);
    const cost = regionCost(at(c.regions, 0), c, options);
    // 73 + 100.35 + 19.43 + 21.90 + 1 + 45 = 260.68, + the EC2 part 124.10 (at the maximum 390.92);
    // the Auto Mode fees, missing, add what they add.
    expect(cost.figure).toEqual({ bound: 'at-least', min: 384.78, max: 651.6 });
    expect(cdnCost(c, options).figure).toEqual({ bound: 'at-least', min: 384.78, max: 651.6 });
    const text = costChangeToText(costChange(undefined, c, options));
    expect(text).toContain('us-east-1  at least $384.78 to at least $651.60 a month (2 prices missing)');
    expect(text).toMatch(
      / {2}Nodes: edge \(Auto Mode fee\) +missing {2}c7i\.large EKS Auto Mode fee hour, c6i\.large EKS Auto Mode fee hour\n/,
    );
    expect(text).toContain('Total: at least $384.78 to at least $651.60 a month');
    const json = costChangeToJson(costChange(undefined, c, options));
    expect(json).toMatchObject({
      after: {
        min: null,
        max: null,
        bound: 'at-least',
        at_least: { min: 384.78, max: 651.6 },
        regions: [
          {
            region: 'us-east-1',
            min: null,
            bound: 'at-least',
            at_least: { min: 384.78, max: 651.6 },
            unpriced: [
              { item: 'Nodes: edge (Auto Mode fee)', missing: ['c7i.large EKS Auto Mode fee hour', 'c6i.large EKS Auto Mode fee hour'] },
            ],
          },
        ],
      },
    });
  });

  it('bounds the example us-east-1 (3 to 12 nodes, the default traffic) at $497.53 to $1,093.21, worked by hand', () => {
    const example = config([{ code: 'us-east-1', od: [3, 12] }]);
    const cost = regionCost(at(example.regions, 0), example, { prices: COMMITTED_PRICES, today: '2026-06-01' });
    // 1,000 GB out, 50e6 requests, 100 GB from the origin:
    // EKS 730 × 0.10 = 73.00; NAT 3 × 730 × 0.045 + 100 × 0.045 = 103.05; NLB 730 × 0.0225 +
    // max(1,000, 50e6 / 180,000 = 277.8) × 0.006 = 22.425 → 22.43; IPv4 6 × 730 × 0.005 = 21.90;
    // health check 1.00; data out 1,000 × 0.09 = 90.00: 311.38. EC2: 3 × 730 × 0.085 (c6i.large)
    // = 186.15, 12 × 730 × 0.08925 (c7i.large) = 781.83. The fees, missing, add what they add.
    expect(cost.figure).toEqual({ bound: 'at-least', min: 497.53, max: 1093.21 });
    expect(costChangeToText(costChange(undefined, example, { prices: COMMITTED_PRICES, today: '2026-06-01' }))).toContain(
      'us-east-1  at least $497.53 to at least $1,093 a month (2 prices missing)',
    );
  });

  describe('a change, with us-east-1 and ap-south-1 priced in part', () => {
    // ap-south-1's priced parts (above): 73 + 21.90 + 1 + 54.65 = 150.55.
    const both = (us: Partial<RegionOpts>, ap: boolean) => config([{ code: 'us-east-1', ...us }], [{ code: 'ap-south-1', enabled: ap }]);
    const delta = (base: Config, head: Config) => costChange(base, head, options);
    const row = (base: Config, head: Config, code: string) => delta(base, head).changed.find((d) => d.region === code)?.figure;

    it('switching a region on costs at least its priced parts, and switching it off saves at least them', () => {
      expect(row(both({}, false), both({}, true), 'ap-south-1')).toEqual({ bound: 'at-least', min: 150.55, max: 150.55 });
      expect(row(both({}, true), both({}, false), 'ap-south-1')).toEqual({ bound: 'at-most', min: -150.55, max: -150.55 });
      const md = costSectionMarkdown(delta(both({}, true), both({}, false)));
      expect(md).toContain('| `ap-south-1` | off | at least $150.55 | $0 | saves at least $150.55 |');
      expect(costSectionMarkdown(delta(both({}, false), both({}, true)))).toContain(
        '| `ap-south-1` | on | $0 | at least $150.55 | at least +$150.55 |',
      );
    });

    it('is exact where the change leaves the missing fees untouched, unknown where it touches them', () => {
      // 3 zones → 2: NAT 2 × 730 × 0.045 = 65.70 (−32.85), addresses 4 × 730 × 0.005 = 14.60 (−7.30); the nodes untouched.
      const zones = row(both({}, false), both({ zones: 2 }, false), 'us-east-1');
      expect(zones?.bound).toBe('exact');
      expect(zones?.min).toBeCloseTo(-40.15, 6);
      expect(costChangeToText(delta(both({}, false), both({ zones: 2 }, false)))).toMatch(
        /us-east-1\s+changed\s+at least \$384\.78 to at least \$651\.60 → at least \$344\.63 to at least \$611\.45 {2}\(−\$40\.15 a month\)/,
      );
      // 6 nodes at most → 8, the same types: the EC2 part is priced (+2 × 730 × 0.08925 = 130.305,
      // 521.22 − 390.92 in cents), and the fee part costs no less: at least that.
      const more = row(both({}, false), both({ od: [2, 8] }, false), 'us-east-1');
      expect(more?.bound).toBe('at-least');
      expect(more?.min).toBe(0);
      expect(more?.max).toBeCloseTo(130.3, 6);
      expect(costSectionMarkdown(delta(both({}, false), both({ od: [2, 8] }, false)))).toContain(
        '| `us-east-1` | changed | at least $384.78 to at least $651.60 | at least $384.78 to at least $781.90 | at least ±$0 to at least +$130.30 |',
      );
      // 6 → 4: the fee part costs no more: saves at least the EC2 difference.
      const fewer = row(both({}, false), both({ od: [2, 4] }, false), 'us-east-1');
      expect(fewer?.bound).toBe('at-most');
      expect(fewer?.max).toBeCloseTo(-130.31, 6); // 4 × 730 × 0.08925 = 260.61, 390.92 − 260.61
      // Another instance type: the fee part is not comparable, and nothing is known.
      const m7i = config([{ code: 'us-east-1', types: ['m7i.large'] }], [{ code: 'ap-south-1', enabled: false }]);
      expect(row(both({}, false), m7i, 'us-east-1')).toEqual({ bound: 'unknown', min: NaN, max: NaN });
    });

    it('reads the same instance types in another order as the same pool: ±$0, and an exact saving with a zone less', () => {
      // Both Auto Mode fees are missing; the pool's fee part is the same part in either order.
      const reordered = { types: ['c6i.large', 'c7i.large'] };
      const same = delta(both({}, false), both(reordered, false));
      expect(same.figure).toEqual({ bound: 'exact', min: 0, max: 0 });
      expect(same.changed).toEqual([]);
      expect(costChangeToText(same)).toContain('no region changes cost');
      expect(costChangeToText(same)).toContain('(±$0)');
      // Reordered and 3 zones → 2: the −40.15 of the zones, exact (as above, without the reorder).
      const zones = row(both({}, false), both({ ...reordered, zones: 2 }, false), 'us-east-1');
      expect(zones?.bound).toBe('exact');
      expect(zones?.min).toBeCloseTo(-40.15, 6);
      expect(zones?.max).toBeCloseTo(-40.15, 6);
    });

    it('says a negative lower bound may cost more; 2 zones and an added pool of 4 m7i.large', () => {
      // 3 zones → 2 saves 40.15 (exact); the new pool's EC2 part costs 4 × 730 × 0.1008 = 294.336
      // → 294.34, and its fee, missing, is only after: at least +254.19. Before the pool's EC2
      // price counted, the same change read "at least −$40.15".
      const added = both({ zones: 2, extraPool: { name: 'big', types: ['m7i.large'], min: 4, max: 4 } }, false);
      const d = row(both({}, false), added, 'us-east-1');
      expect(d?.bound).toBe('at-least');
      expect(d?.min).toBeCloseTo(254.19, 6);
      expect(costSectionMarkdown(delta(both({}, false), added))).toContain(' | at least +$254.19 |');
      // A type the table has no price for: the new pool's EC2 part and fee are both unpriced and
      // only after, so the delta is at least −40.15, which says the change may cost more.
      const unlisted = both({ zones: 2, extraPool: { name: 'big', types: ['r7i.large'], min: 4, max: 4 } }, false);
      const negative = row(both({}, false), unlisted, 'us-east-1');
      expect(negative?.bound).toBe('at-least');
      expect(negative?.min).toBeCloseTo(-40.15, 6);
      expect(costSectionMarkdown(delta(both({}, false), unlisted))).toContain(' | at least −$40.15 (may cost more) |');
      expect(deltaText({ bound: 'at-least', min: -40.15, max: -40.15 })).toBe('at least −$40.15 (may cost more)');
      expect(deltaText({ bound: 'at-least', min: 254.19, max: 254.19 })).toBe('at least +$254.19');
    });

    it('totals the regions: exact and a lower bound is a lower bound, a lower and an upper bound nothing', () => {
      // −40.15 exact, +150.55 at least: at least +110.40.
      const on = delta(both({}, false), both({ zones: 2 }, true)).figure;
      expect(on.bound).toBe('at-least');
      expect(on.min).toBeCloseTo(110.4, 6);
      // −40.15 exact, −150.55 at most: saves at least 190.70.
      const off = delta(both({}, true), both({ zones: 2 }, false));
      expect(off.figure.bound).toBe('at-most');
      expect(off.figure.max).toBeCloseTo(-190.7, 6);
      expect(costChangeToText(off)).toContain(
        'Total: at least $535.33 to at least $802.15 → at least $344.63 to at least $611.45 a month (saves at least $190.70)',
      );
      // at least for us-east-1 (its nodes up), at least for ap-south-1: at least.
      const up = delta(both({}, false), both({ od: [2, 8] }, true)).figure;
      expect(up.bound).toBe('at-least');
      expect(up.min).toBeCloseTo(150.55, 6);
      expect(up.max).toBeCloseTo(280.85, 6);
      // ap-south-1 off (at most), the nodes of us-east-1 up (at least): the whole is unknown, said so.
      expect(costChangeToText(delta(both({}, true), both({ od: [2, 8] }, false)))).toContain(
        'Total: at least $535.33 to at least $802.15 → at least $384.78 to at least $781.90 a month (unknown)',
      );
    });
  });

  it("prices data out in tiers, from Infracost's golden output, and leaves a tier it lacks missing", () => {
    const gb = (code: string, gbOut: number) => {
      const c = config([{ code }]);
      return regionCost(at(c.regions, 0), c, { ...options, traffic: { ...TRAFFIC, gbOut } });
    };
    // 10,240 × 0.1093 + 40,960 × 0.085 + 102,400 × 0.082 + 46,400 × 0.08
    // = 1,119.232 + 3,481.60 + 8,396.80 + 3,712.00 = 16,709.632
    const ap = gb('ap-south-1', 200_000).parts.find((x) => x.item === 'Data out to the internet');
    expect(ap?.min).toBe(16709.63);
    expect(ap?.basis).toBe('10,240 GB × $0.1093/GB + 40,960 GB × $0.085/GB + 102,400 GB × $0.082/GB + 46,400 GB × $0.08/GB');
    // us-east-1 to 150 TB (153,600 GB): 921.60 + 3,481.60 + 102,400 × 0.07 = 7,168 → 11,571.20; past it, the tier is missing.
    expect(gb('us-east-1', 153_600).parts.find((x) => x.item === 'Data out to the internet')?.min).toBe(11571.2);
    const past = gb('us-east-1', 160_000);
    expect(past.parts.map((x) => x.item)).not.toContain('Data out to the internet');
    expect(past.unpriced.find((x) => x.item === 'Data out to the internet')?.missing).toEqual([
      'data transfer out to the internet per GB, over 150 TB',
    ]);
    // Within the first tier, one line as before.
    expect(gb('us-east-1', 1000).parts.find((x) => x.item === 'Data out to the internet')?.basis).toBe('1,000 GB × $0.09/GB');
  });

  it("says when its prices were read, from its sources, and prints unit prices to the table's decimals", () => {
    expect(pricesRead(COMMITTED_PRICES)).toBe('2026-11-25 to 2026-12-05');
    const c = config([{ code: 'us-east-1' }]);
    const text = costChangeToText(costChange(undefined, c, options));
    expect(text).toContain('730 hours a month; prices read 2026-11-25 to 2026-12-05 (sources and their dates in the price table).');
    expect(text).not.toContain('prices of');
    expect(text).toContain('6 × c7i.large × 730 h × $0.08925/h');
    expect([money(0.08925), money(0.1), money(1), money(0.1093), money(0.045), money(12.5)]).toEqual([
      '$0.08925',
      '$0.10',
      '$1.00',
      '$0.1093',
      '$0.045',
      '$12.50',
    ]);
    expect(money(0.123456)).toBe('$0.123456');
  });

  it('gives ap-south-1 its data out at $0.1093/GB and names every price it still lacks', () => {
    const c = config([{ code: 'ap-south-1' }]);
    const cost = regionCost(at(c.regions, 0), c, options);
    // 730 h × $0.10; 6 × 730 h × $0.005; the HTTPS option; 500 GB × $0.1093 = 54.65
    expect(cents(cost)).toEqual({
      'EKS control plane': 73,
      'Public IPv4 addresses': 21.9,
      'Route53 health check': 1,
      'Data out to the internet': 54.65,
    });
    expect(cost.missing.map((m) => m.item)).toEqual([
      'NAT gateway hour',
      'NAT gateway GB processed',
      'Network Load Balancer hour',
      'Network Load Balancer NLCU-hour',
      'c7i.large on-demand hour',
      'c6i.large on-demand hour',
      'c7i.large EKS Auto Mode fee hour',
      'c6i.large EKS Auto Mode fee hour',
    ]);
  });
});

describe('for the autoscaler', () => {
  it('gives a region’s cost on and off, and whether the CDN stays within the budget in cdn.yaml', () => {
    const c = config([{ code: 'us-east-1' }], [{ code: 'eu-west-1', enabled: false }], '  budget:\n    monthly_usd: 1200\n');
    const s = regionSwitchCost(c, 'eu-west-1', OPTIONS);
    const own = regionCost({ ...at(c.regions, 1), serving: true }, c, OPTIONS);
    expect(s.on).toEqual({ min: own.min, max: own.max });
    expect(s.off).toEqual({ min: 0, max: 0 });
    expect(s.totalWithOn - s.totalWithOff).toBeCloseTo(own.max, 6);
    expect(s.budget).toBe(1200);
    expect(s.fitsBudget).toBe(s.totalWithOn <= 1200);
    expect(s.fitsBudget).toBe(false);
    expect(regionSwitchCost(c, 'eu-west-1', OPTIONS).totalWithOff).toBeLessThan(1200);
  });

  it('judges regions switched on together as one change: each may fit the budget alone while the set does not', () => {
    const c = config(
      [{ code: 'us-east-1' }],
      [
        { code: 'eu-west-1', enabled: false },
        { code: 'sa-east-1', enabled: false },
      ],
    );
    const base = cdnCost(c, OPTIONS).max;
    const eu = regionSwitchCost(c, 'eu-west-1', OPTIONS);
    const sa = regionSwitchCost(c, 'sa-east-1', OPTIONS);
    // A budget with room for the dearer of the two alone, but not for both.
    const budget = Math.ceil(base + Math.max(eu.on.max, sa.on.max) + 1);
    const withBudget = config(
      [{ code: 'us-east-1' }],
      [
        { code: 'eu-west-1', enabled: false },
        { code: 'sa-east-1', enabled: false },
      ],
      `  budget:\n    monthly_usd: ${budget}\n`,
    );
    expect(regionSwitchCost(withBudget, 'eu-west-1', OPTIONS).fitsBudget).toBe(true);
    expect(regionSwitchCost(withBudget, 'sa-east-1', OPTIONS).fitsBudget).toBe(true);
    const both = regionsSwitchCost(withBudget, ['eu-west-1', 'sa-east-1'], OPTIONS);
    expect(both.on).toEqual({ 'eu-west-1': eu.on, 'sa-east-1': sa.on });
    expect(both.totalWithOn).toBeCloseTo(base + eu.on.max + sa.on.max, 6);
    expect(both.totalWithOff).toBeCloseTo(base, 6);
    expect(both.budget).toBe(budget);
    expect(both.fitsBudget).toBe(false);
    expect(() => regionsSwitchCost(withBudget, ['eu-west-1', 'eu-north-1'], OPTIONS)).toThrow(
      'region eu-north-1 is not in the region files',
    );
  });

  it('with a price missing, proves a region over the budget from its priced parts, never within it', () => {
    // The committed table: us-east-1 at least $384.78 to $651.60, ap-south-1 at least $150.55
    // (above), so at least $802.15 at the maximum with it on.
    const options: CostOptions = { prices: COMMITTED_PRICES, traffic: TRAFFIC, today: '2026-06-01' };
    const under = config([{ code: 'us-east-1' }], [{ code: 'ap-south-1', enabled: false }], '  budget:\n    monthly_usd: 400\n');
    const s = regionSwitchCost(under, 'ap-south-1', options);
    expect(s).toMatchObject({ bound: 'at-least', fitsBudget: false, budget: 400, on: { min: 150.55, max: 150.55 } });
    expect(s.totalWithOn).toBeCloseTo(802.15, 6);
    expect(s.totalWithOff).toBeCloseTo(651.6, 6);
    expect(regionsSwitchCost(under, ['ap-south-1'], options)).toMatchObject({ bound: 'at-least', fitsBudget: false });
    // $803 is above what is priced: nothing is proven, and the missing price is the answer.
    const above = config([{ code: 'us-east-1' }], [{ code: 'ap-south-1', enabled: false }], '  budget:\n    monthly_usd: 803\n');
    expect(() => regionSwitchCost(above, 'ap-south-1', options)).toThrow(MissingPriceError);
    expect(() => regionsSwitchCost(above, ['ap-south-1'], options)).toThrow('no price for c7i.large EKS Auto Mode fee hour in us-east-1');
    // Without a budget, too: there is nothing to prove.
    expect(() =>
      regionSwitchCost(config([{ code: 'us-east-1' }], [{ code: 'ap-south-1', enabled: false }]), 'ap-south-1', options),
    ).toThrow(MissingPriceError);
    // With every price, the figures are exact.
    expect(regionSwitchCost(under, 'ap-south-1', OPTIONS).bound).toBe('exact');
  });

  it('refuses a budget that is not a positive number, at its place', () => {
    const result = loadConfig(
      {
        'always-on': { path: 'regions/always-on.yaml', text: `regions:\n${regionYaml({ code: 'us-east-1' })}\n` },
        cdn: { path: 'regions/cdn.yaml', text: `${CDN_YAML}  budget:\n    monthly_usd: 0\n` },
      },
      {},
    );
    expect(result.config).toBeUndefined();
    expect(result.problems.map((x) => `${x.file}:${x.line}:${x.column} ${x.message}`).join('\n')).toMatch(
      /regions\/cdn\.yaml:9:\d+ .*monthly_usd/,
    );
  });
});

describe('the change as the comment shows it', () => {
  it('says a region switched on costs +$X to +$Y a month, with the total and the assumptions', () => {
    const base = config([{ code: 'us-east-1' }], [{ code: 'ap-south-1', enabled: false }]);
    const head = config([{ code: 'us-east-1' }], [{ code: 'ap-south-1', enabled: true }]);
    const change = costChange(base, head, OPTIONS);
    const own = at(change.after.regions, 1);
    expect(change.changed.map((d) => d.region)).toEqual(['ap-south-1']);
    const md = costSectionMarkdown(change);
    expect(md).toContain(`| \`ap-south-1\` | on | $0 | ${usd(own.min)} to ${usd(own.max)} | +${usd(own.min)} to +${usd(own.max)} |`);
    expect(md).toContain('500 GB out, 36,000,000 requests');
    expect(md).toContain('730 hours a month; prices read 2026-11-01 (sources and their dates in the price table)');
  });

  it('reads the traffic assumption from the command line and refuses nonsense', () => {
    expect(parseTraffic('gb=2000,requests=1e8')).toEqual({ gbOut: 2000, requests: 1e8, originGb: 100, dnsQueries: 10_000_000 });
    expect(() => parseTraffic('gb=-1')).toThrow('--traffic: gb must be a number of 0 or more, not "-1"');
    expect(() => parseTraffic('tb=3')).toThrow('--traffic: unknown key "tb"');
  });
});
