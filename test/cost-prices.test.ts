// The price table: the committed one is complete in form (every region kubeCDN can serve, a dated
// source for every figure, missing prices saying why), and `kubecdn prices refresh` builds a table
// of the same form from the Price List Query API. There is no Price List API here, so the peer is
// a stand-in built on the SDK's own model of it (test/pricing-model.ts): every request the real
// client sends is checked against the GetProducts shapes shipped in @aws-sdk/client-pricing, and
// answers follow the Price List format, one product a page.
import { PricingClient } from '@aws-sdk/client-pricing';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPriceTable, servableRegions, type PriceTable } from '../src/core/cost/prices.js';
import { COMMITTED_PRICES } from '../src/core/cost/table.js';
import { fetchPrice, refreshPrices } from '../src/node/prices.js';
import { startPricingStandIn, type PriceListProduct, type PricingStandIn } from './pricing-model.js';
import { kubecdnAsync } from './run.js';

describe('the committed price table', () => {
  it('starts with its date and sources, covers every region kubeCDN can serve, and is sound', () => {
    expect(Object.keys(COMMITTED_PRICES).slice(0, 4)).toEqual(['date', 'made_by', 'currency', 'sources']);
    expect(Object.keys(COMMITTED_PRICES.regions).sort()).toEqual(servableRegions().sort());
    expect(checkPriceTable(COMMITTED_PRICES)).toEqual([]);
    for (const s of COMMITTED_PRICES.sources) {
      expect(s.url).toMatch(/^https:\/\//);
      expect(s.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('names for each source the page actually read and that page’s own date', () => {
    // Figures read on third-party pages that quote AWS are not AWS's page read today: each source
    // is the page read, with its own date (or "undated"), so that a reader can judge freshness.
    for (const s of COMMITTED_PRICES.sources) {
      expect(s.url, s.id).not.toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(s.published, s.id).toMatch(/^(\d{4}(-\d{2}-\d{2})?|undated)$/);
    }
  });

  it('carries the instance types the example region files use', () => {
    for (const code of servableRegions())
      for (const type of ['c7i.large', 'c6i.large', 'c5.large']) expect(COMMITTED_PRICES.regions[code]?.instances[type]).toBeDefined();
  });

  it('refuses a zero price, or one without a source', () => {
    const broken = structuredClone(COMMITTED_PRICES) as unknown as { regions: Record<string, Record<string, unknown>> };
    const us = broken.regions['us-east-1'] ?? {};
    us['nlb_hour'] = { usd: 0, source: 'nlb-us-east-1' };
    us['nat_gateway_hour'] = { usd: 0.045, source: 'somewhere' };
    us['data_transfer_out_gb'] = { missing: '' };
    expect(checkPriceTable(broken)).toEqual([
      'regions.us-east-1.nat_gateway_hour: source somewhere is not among the sources',
      'regions.us-east-1.nlb_hour: usd must be a positive number',
      'regions.us-east-1.data_transfer_out_gb: a missing price must say why',
    ]);
  });
});

const R = (code: string) => ({ regionCode: code, location: code });

/** A small catalog: us-east-1 complete for c6i.large, with decoys the filters must leave out; eu-west-1 ambiguous. */
const CATALOG: PriceListProduct[] = [
  {
    serviceCode: 'AmazonEKS',
    attributes: { ...R('us-east-1'), usagetype: 'USE1-AmazonEKS-Hours:perCluster' },
    dimensions: [{ unit: 'Hours', usd: '0.1000000000' }],
  },
  {
    serviceCode: 'AmazonEKS',
    // The surcharge billed on top of the perCluster hour while a version is in extended support.
    attributes: { ...R('us-east-1'), usagetype: 'USE1-AmazonEKS-Hours:extendedSupport' },
    dimensions: [{ unit: 'Hours', usd: '0.5000000000' }],
  },
  // Auto Mode's fee as the AmazonEKS offer holds it: family Compute, operation EKSAutoUsage,
  // eksproducttype AutoMode, and the type in the lowercase attribute `instancetype` (the shape
  // public Price List readers select on; its usagetype is left out, unknown here).
  {
    serviceCode: 'AmazonEKS',
    productFamily: 'Compute',
    attributes: { ...R('us-east-1'), operation: 'EKSAutoUsage', eksproducttype: 'AutoMode', instancetype: 'c6i.large' },
    dimensions: [{ unit: 'Hrs', usd: '0.0102000000' }],
  },
  // A decoy of the same type in the EKS offer that is not Auto Mode's fee (a hybrid-nodes product).
  {
    serviceCode: 'AmazonEKS',
    productFamily: 'Compute',
    attributes: { ...R('us-east-1'), operation: 'HybridNodesUsage', eksproducttype: 'HybridNodes', instancetype: 'c6i.large' },
    dimensions: [{ unit: 'Hrs', usd: '0.0200000000' }],
  },
  {
    serviceCode: 'AmazonEC2',
    productFamily: 'NAT Gateway',
    attributes: { ...R('us-east-1'), usagetype: 'NatGateway-Hours' },
    dimensions: [{ unit: 'Hrs', usd: '0.0450000000' }],
  },
  {
    serviceCode: 'AmazonEC2',
    productFamily: 'NAT Gateway',
    attributes: { ...R('us-east-1'), usagetype: 'NatGateway-Bytes' },
    dimensions: [{ unit: 'GB', usd: '0.0450000000' }],
  },
  {
    serviceCode: 'AWSELB',
    productFamily: 'Load Balancer-Network',
    attributes: { ...R('us-east-1'), usagetype: 'LoadBalancerUsage' },
    dimensions: [{ unit: 'Hrs', usd: '0.0225000000' }],
  },
  {
    serviceCode: 'AWSELB',
    productFamily: 'Load Balancer-Network',
    attributes: { ...R('us-east-1'), usagetype: 'LCUUsage' },
    dimensions: [{ unit: 'LCU-Hrs', usd: '0.0060000000' }],
  },
  {
    serviceCode: 'AmazonVPC',
    productFamily: 'VPC Public IPv4 Address',
    attributes: { ...R('us-east-1'), usagetype: 'USE1-PublicIPv4:InUseAddress' },
    dimensions: [{ unit: 'Hrs', usd: '0.0050000000' }],
  },
  {
    serviceCode: 'AWSDataTransfer',
    attributes: { fromRegionCode: 'us-east-1', transferType: 'AWS Outbound', usagetype: 'USE1-DataTransfer-Out-Bytes' },
    dimensions: [
      { unit: 'GB', usd: '0.0900000000', begin: '0', end: '10240' },
      { unit: 'GB', usd: '0.0850000000', begin: '10240', end: '51200' },
      { unit: 'GB', usd: '0.0700000000', begin: '51200', end: '153600' },
      { unit: 'GB', usd: '0.0500000000', begin: '153600' },
    ],
  },
  {
    serviceCode: 'AmazonEC2',
    productFamily: 'Compute Instance',
    attributes: {
      ...R('us-east-1'),
      instanceType: 'c6i.large',
      operatingSystem: 'Linux',
      tenancy: 'Shared',
      preInstalledSw: 'NA',
      capacitystatus: 'Used',
    },
    dimensions: [{ unit: 'Hrs', usd: '0.0850000000' }],
  },
  // Decoys: the same type with another OS, tenancy, or capacity status.
  ...(
    [
      ['operatingSystem', 'RHEL', '0.1138'],
      ['tenancy', 'Dedicated', '0.0935'],
      ['capacitystatus', 'UnusedCapacityReservation', '0.0850'],
    ] as const
  ).map(([field, value, usd]): PriceListProduct => ({
    serviceCode: 'AmazonEC2',
    productFamily: 'Compute Instance',
    attributes: {
      ...R('us-east-1'),
      instanceType: 'c6i.large',
      operatingSystem: 'Linux',
      tenancy: 'Shared',
      preInstalledSw: 'NA',
      capacitystatus: 'Used',
      [field]: value,
    },
    dimensions: [{ unit: 'Hrs', usd }],
  })),
  // Two different NAT gateway hour prices for one region: the table must not pick one.
  {
    serviceCode: 'AmazonEC2',
    productFamily: 'NAT Gateway',
    attributes: { ...R('eu-west-1'), usagetype: 'EU-NatGateway-Hours' },
    dimensions: [{ unit: 'Hrs', usd: '0.0480000000' }],
  },
  {
    serviceCode: 'AmazonEC2',
    productFamily: 'NAT Gateway',
    attributes: { ...R('eu-west-1'), usagetype: 'EU-NatGateway-Hours-Provisioned' },
    dimensions: [{ unit: 'Hrs', usd: '0.0520000000' }],
  },
  {
    serviceCode: 'AmazonRoute53',
    attributes: { usagetype: 'Health-Check-AWS' },
    dimensions: [{ unit: 'Health-Check', usd: '0.5000000000' }],
  },
  {
    serviceCode: 'AmazonRoute53',
    attributes: { usagetype: 'Health-Check-Option-AWS' },
    dimensions: [{ unit: 'Health-Check', usd: '1.0000000000' }],
  },
  {
    serviceCode: 'AmazonRoute53',
    attributes: { usagetype: 'LBR-Queries' },
    dimensions: [
      { unit: 'Queries', usd: '0.0000006000', begin: '0', end: '1000000000' },
      { unit: 'Queries', usd: '0.0000003000', begin: '1000000000' },
    ],
  },
];

describe('kubecdn prices refresh, against a stand-in on the SDK’s model of the Price List API', () => {
  let api: PricingStandIn;
  let table: PriceTable;
  const client = () =>
    new PricingClient({ region: 'us-east-1', endpoint: api.url, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });

  beforeAll(async () => {
    api = await startPricingStandIn(CATALOG);
    table = await refreshPrices(client(), { today: '2026-11-25', instanceTypes: ['c6i.large'] });
  });
  afterAll(() => api.close());

  it('builds a table of the committed format, every request valid under the SDK’s shapes', () => {
    expect(checkPriceTable(table)).toEqual([]);
    expect(Object.keys(table)).toEqual(Object.keys(COMMITTED_PRICES));
    expect(Object.keys(table.regions).sort()).toEqual(Object.keys(COMMITTED_PRICES.regions).sort());
    expect(Object.keys(table.regions['us-east-1'] ?? {})).toEqual(Object.keys(COMMITTED_PRICES.regions['us-east-1'] ?? {}));
    expect(table.date).toBe('2026-11-25');
    expect(table.sources[0]?.read).toBe('2026-11-25');
    // 3 global items, then per region 8 items and 2 per instance type.
    expect(api.requests.length).toBeGreaterThanOrEqual(3 + servableRegions().length * 10);
    expect(api.requests.every((r) => r['MaxResults'] === 100 && r['FormatVersion'] === 'aws_v1')).toBe(true);
  });

  it('reads the figures the API gives, following every page, and leaves out the decoys', () => {
    const us = table.regions['us-east-1'];
    expect(us?.instances['c6i.large']).toEqual({
      on_demand_hour: { usd: 0.085, source: 'price-list-api' },
      auto_mode_hour: { usd: 0.0102, source: 'price-list-api' },
    });
    expect(us?.data_transfer_out_gb).toEqual({ usd: 0.09, source: 'price-list-api' });
    expect(us?.eks_extended_support_hour).toEqual({ usd: 0.5, source: 'price-list-api' });
    expect(us?.nlb_nlcu_hour).toEqual({ usd: 0.006, source: 'price-list-api' });
    expect(table.global.route53_latency_queries_million).toEqual({ usd: 0.6, source: 'price-list-api' });
    // Only eu-west-1's two NAT gateway products took a second page; had the c6i.large decoys
    // passed the filters, their pages would have been followed too.
    expect(api.followed()).toBe(1);
  });

  it('says why a price is missing, naming the item and region, and never picks one of two', () => {
    expect(table.regions['ap-south-1']?.eks_cluster_hour).toEqual({
      missing: 'the Price List API has no on-demand price for the EKS cluster hour in ap-south-1',
    });
    expect(table.regions['eu-west-1']?.nat_gateway_hour).toEqual({
      missing: 'the Price List API gives 2 different prices for the NAT gateway hour in eu-west-1: 0.048, 0.052',
    });
  });

  it('follows NextToken across pages', async () => {
    const before = api.followed();
    const entry = await fetchPrice(client(), {
      serviceCode: 'AmazonEC2',
      filters: [{ Type: 'TERM_MATCH', Field: 'instanceType', Value: 'c6i.large' }],
      what: 'every c6i.large product',
    });
    // Four products on four pages: three pages followed, and four different prices found.
    expect(api.followed() - before).toBe(3);
    expect(entry).toEqual({ missing: 'the Price List API gives 3 different prices for every c6i.large product: 0.085, 0.0935, 0.1138' });
  });

  it('is refused by the stand-in when a request breaks the SDK’s model', async () => {
    await expect(
      fetchPrice(client(), {
        serviceCode: 'AmazonEC2',
        filters: [{ Type: 'FUZZY' as never, Field: 'instanceType', Value: 'c6i.large' }],
        what: 'x',
      }),
    ).rejects.toThrow('Filters[0].Type: FUZZY is not a FilterType');
  });

  it('runs from the command line and writes the table', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-prices-'));
    const out = path.join(dir, 'prices.json');
    const ran = await kubecdnAsync(
      ['prices', 'refresh', '--endpoint', api.url, '--region', 'us-east-1', '--instance-type', 'c6i.large', '--out', out],
      {
        env: { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' },
      },
    );
    expect(ran.stderr).toContain('prices: us-east-1 done');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^wrote .*prices\.json: prices of \d{4}-\d{2}-\d{2}, 1 regions, 0 prices missing/);
    const written = JSON.parse(readFileSync(out, 'utf8')) as PriceTable;
    expect(written.regions['us-east-1']?.instances['c6i.large']?.on_demand_hour).toEqual({ usd: 0.085, source: 'price-list-api' });
  });
});
