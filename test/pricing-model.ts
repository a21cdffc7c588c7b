// A stand-in for the AWS Price List Query API (GetProducts), built on the SDK's own model of it:
// the awsJson1_1 protocol and target that @aws-sdk/client-pricing's runtime config names, the
// GetProductsRequest, Filter and GetProductsResponse shapes and the FilterType enum exported by
// the SDK, and its modelled errors. Requests are checked member by member against those shapes;
// an answer holds only members of the response shape, with PriceList items as JSON strings in
// the Price List format (product, attributes, terms.OnDemand.*.priceDimensions). One product a
// page, so that every multi-product query has to follow NextToken.
import { Filter$, FilterType, GetProductsRequest$, GetProductsResponse$ } from '@aws-sdk/client-pricing';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A structure schema as the SDK ships it: [3, namespace, name, traits, member names, member schemas, required count?]. */
type StructSchema = readonly [number, string, string, unknown, readonly string[], readonly unknown[], number?];

function members(schema: unknown): { names: readonly string[]; types: readonly unknown[]; required: number } {
  const s = schema as StructSchema;
  return { names: s[4], types: s[5], required: s[6] ?? 0 };
}

/** Checks a value against a structure schema of the SDK: known members, required ones present, scalar kinds. */
function checkStruct(value: unknown, schema: unknown, path: string, problems: string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path}: not a structure`);
    return;
  }
  const { names, types, required } = members(schema);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!names.includes(key)) problems.push(`${path}.${key}: not a member of the shape`);
  names.slice(0, required).forEach((name) => {
    if (record[name] === undefined) problems.push(`${path}.${name}: required`);
  });
  names.forEach((name, i) => {
    const v = record[name];
    if (v === undefined) return;
    const type = types[i];
    // 0 is a string, 1 a number (the SDK's simple schema codes); a function is a nested shape.
    if (type === 0 && typeof v !== 'string') problems.push(`${path}.${name}: must be a string`);
    if (type === 1 && !Number.isInteger(v)) problems.push(`${path}.${name}: must be an integer`);
  });
}

export interface PriceListProduct {
  readonly serviceCode: string;
  readonly productFamily?: string;
  readonly attributes: Record<string, string>;
  readonly dimensions: readonly { unit: string; usd: string; begin?: string; end?: string }[];
}

/** One product in the Price List format, as the API returns it inside PriceList. */
export function priceListItem(p: PriceListProduct, sku: string): string {
  const term = `${sku}.JRTCKXETXF`;
  return JSON.stringify({
    product: { productFamily: p.productFamily ?? 'Other', attributes: { servicecode: p.serviceCode, ...p.attributes }, sku },
    serviceCode: p.serviceCode,
    terms: {
      OnDemand: {
        [term]: {
          priceDimensions: Object.fromEntries(
            p.dimensions.map((d, i) => [
              `${term}.6YS6EN2CT${i}`,
              {
                unit: d.unit,
                endRange: d.end ?? 'Inf',
                description: `${p.serviceCode} ${d.usd} per ${d.unit}`,
                appliesTo: [],
                rateCode: `${term}.6YS6EN2CT${i}`,
                beginRange: d.begin ?? '0',
                pricePerUnit: { USD: d.usd },
              },
            ]),
          ),
          sku,
          effectiveDate: '2026-11-01T00:00:00Z',
          offerTermCode: 'JRTCKXETXF',
          termAttributes: {},
        },
      },
    },
    version: '20261101000000',
    publicationDate: '2026-11-01T00:00:00Z',
  });
}

function matches(p: PriceListProduct, filter: { Type: string; Field: string; Value: string }): boolean {
  const value =
    filter.Field === 'productFamily' ? p.productFamily : filter.Field === 'ServiceCode' ? p.serviceCode : p.attributes[filter.Field];
  if (value === undefined) return filter.Type === 'NONE_OF';
  switch (filter.Type) {
    case 'TERM_MATCH':
    case 'EQUALS':
      return value === filter.Value;
    case 'CONTAINS':
      return value.includes(filter.Value);
    case 'ANY_OF':
      return filter.Value.split(',').includes(value);
    case 'NONE_OF':
      return !filter.Value.split(',').includes(value);
    default:
      return false;
  }
}

export interface PricingStandIn {
  readonly url: string;
  /** Every GetProducts request, as sent. */
  readonly requests: Record<string, unknown>[];
  /** How many requests carried a NextToken. */
  readonly followed: () => number;
  close(): Promise<void>;
}

const body = async (req: IncomingMessage) => {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString();
  return text;
};

export async function startPricingStandIn(catalog: readonly PriceListProduct[]): Promise<PricingStandIn> {
  const requests: Record<string, unknown>[] = [];
  let followed = 0;
  const error = (type: string, message: string, status: number) => ({ status, payload: { __type: type, message } });
  const server: Server = createServer((req, res) => {
    void (async () => {
      const text = await body(req);
      const answer = (() => {
        if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'AWSPriceListService.GetProducts')
          return error('UnknownOperationException', `only GetProducts is served, not ${String(req.headers['x-amz-target'])}`, 400);
        if (req.headers['content-type'] !== 'application/x-amz-json-1.1')
          return error('InvalidParameterException', 'Content-Type must be application/x-amz-json-1.1 (awsJson1_1)', 400);
        if (!(req.headers['authorization'] ?? '').startsWith('AWS4-HMAC-SHA256'))
          return error('AccessDeniedException', 'the request is not signed with SigV4', 401);
        const input = JSON.parse(text) as Record<string, unknown>;
        requests.push(input);
        const problems: string[] = [];
        checkStruct(input, GetProductsRequest$, 'GetProductsRequest', problems);
        const filters = Array.isArray(input['Filters']) ? (input['Filters'] as unknown[]) : [];
        filters.forEach((f, i) => {
          checkStruct(f, Filter$, `Filters[${i}]`, problems);
          const type = (f as Record<string, unknown>)['Type'];
          if (!Object.values(FilterType).includes(type as never)) problems.push(`Filters[${i}].Type: ${String(type)} is not a FilterType`);
        });
        // The API reference: MaxResults is from 1 to 100.
        const max = input['MaxResults'];
        if (max !== undefined && (typeof max !== 'number' || max < 1 || max > 100)) problems.push('MaxResults: from 1 to 100');
        if (problems.length) return error('InvalidParameterException', problems.join('; '), 400);
        const chosen = catalog
          .map((p, i) => ({ p, i }))
          .filter(({ p }) => p.serviceCode === input['ServiceCode'])
          .filter(({ p }) => (filters as { Type: string; Field: string; Value: string }[]).every((f) => matches(p, f)));
        const token = input['NextToken'];
        let start = 0;
        if (token !== undefined) {
          followed++;
          start = typeof token === 'string' ? Number(Buffer.from(token, 'base64').toString()) : NaN;
          if (!Number.isInteger(start) || start <= 0 || start >= chosen.length)
            return error('InvalidNextTokenException', 'the next token is not valid', 400);
        }
        const page = chosen.slice(start, start + 1);
        const output: Record<string, unknown> = {
          FormatVersion: 'aws_v1',
          PriceList: page.map(({ p, i }) => priceListItem(p, `SKU${String(i).padStart(6, '0')}`)),
          ...(start + 1 < chosen.length ? { NextToken: Buffer.from(String(start + 1)).toString('base64') } : {}),
        };
        const own: string[] = [];
        checkStruct(output, GetProductsResponse$, 'GetProductsResponse', own);
        if (own.length) throw new Error(`the stand-in broke the response shape: ${own.join('; ')}`);
        return { status: 200, payload: output };
      })();
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'stand-in' });
      res.end(JSON.stringify(answer.payload));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    followed: () => followed,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
