// Route53 on moto_server for the DNS tests: a zone of one's own, records seeded and read with the
// real SDK, and a proxy in front that counts calls and answers some with Route53's own errors.
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inject } from 'vitest';
import { recordKey, type RecordSet } from '../src/core/dns/records.js';
import { fromSdk, toSdk } from '../src/node/route53.js';

export const AWS_ENV = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };

export function motoUrl(): string {
  return inject('motoUrl');
}

export function sdk(endpoint = motoUrl()): Route53Client {
  return new Route53Client({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
}

let zones = 0;
export async function createZone(name = 'example.com'): Promise<string> {
  const out = await sdk().send(
    new CreateHostedZoneCommand({ Name: name, CallerReference: `test-${process.pid}-${Date.now()}-${zones++}` }),
  );
  return (out.HostedZone?.Id ?? '').replace('/hostedzone/', '');
}

export async function seed(zoneId: string, ...records: RecordSet[]): Promise<void> {
  await sdk().send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: records.map((r) => ({ Action: 'CREATE', ResourceRecordSet: toSdk(r) })) },
    }),
  );
}

/** Every record in the zone, walked page by page independently of the code under test. */
export async function zoneRecords(zoneId: string): Promise<RecordSet[]> {
  const found = new Map<string, RecordSet>();
  let start: { StartRecordName?: string; StartRecordType?: RRType } = {};
  for (;;) {
    const out = await sdk().send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 300, ...start }));
    for (const r of (out.ResourceRecordSets ?? []).map(fromSdk)) found.set(recordKey(r), r);
    if (!out.IsTruncated || !out.NextRecordName || !out.NextRecordType) break;
    start = { StartRecordName: out.NextRecordName, StartRecordType: out.NextRecordType };
  }
  return [...found.values()].filter((r) => r.type !== 'NS' && r.type !== 'SOA');
}

/** The Route53 operation of an HTTP request to the REST API (2013-04-01). */
export function operationOf(method: string, url: string): string {
  const path = url.split('?')[0] ?? '';
  if (/\/tags\/healthcheck\/?$/.test(path)) return 'ListTagsForResources';
  if (/\/tags\/healthcheck\//.test(path)) return method === 'POST' ? 'ChangeTagsForResource' : 'ListTagsForResource';
  if (/\/hostedzone\/[^/]+$/.test(path) && method === 'GET') return 'GetHostedZone';
  if (/\/hostedzone\/[^/]+\/rrset\/?$/.test(path)) return method === 'POST' ? 'ChangeResourceRecordSets' : 'ListResourceRecordSets';
  if (/\/change\//.test(path)) return 'GetChange';
  if (/\/healthcheck\/?$/.test(path)) return method === 'POST' ? 'CreateHealthCheck' : 'ListHealthChecks';
  if (/\/healthcheck\/[^/]+$/.test(path))
    return method === 'DELETE' ? 'DeleteHealthCheck' : method === 'POST' ? 'UpdateHealthCheck' : 'GetHealthCheck';
  return `${method} ${path}`;
}

/** Route53's error document, as its API returns it. */
function errorBody(code: string, message: string): string {
  return `<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`;
}

export interface Injection {
  operation: string;
  /** How many of the next such requests get the error. */
  times: number;
  status: number;
  code: string;
  /** Send the request on to moto first, so that it is committed, and lose moto's answer. */
  afterCommit?: boolean;
}

export class CountingProxy {
  readonly calls: string[] = [];
  readonly injected: string[] = [];
  readonly injections: Injection[] = [];
  private server: Server | undefined;

  constructor(private readonly upstream: string) {}

  count(operation: string): number {
    return this.calls.filter((c) => c === operation).length;
  }

  changeCalls(): number {
    return this.calls.filter((c) =>
      /^(ChangeResourceRecordSets|CreateHealthCheck|UpdateHealthCheck|DeleteHealthCheck|ChangeTagsForResource)$/.test(c),
    ).length;
  }

  async start(): Promise<string> {
    const upstream = new URL(this.upstream);
    this.server = createServer((req, res) => {
      const operation = operationOf(req.method ?? 'GET', req.url ?? '/');
      this.calls.push(operation);
      const injection = this.injections.find((i) => i.operation === operation && i.times > 0);
      const fail = () => {
        res.writeHead(injection?.status ?? 500, { 'content-type': 'text/xml' });
        res.end(
          errorBody(
            injection?.code ?? 'InternalFailure',
            injection?.code === 'Throttling'
              ? 'Rate exceeded'
              : 'The request was rejected because Route 53 was still processing a prior request.',
          ),
        );
      };
      if (injection) {
        injection.times -= 1;
        this.injected.push(`${operation} ${injection.code}${injection.afterCommit ? ' after commit' : ''}`);
        if (!injection.afterCommit) {
          req.resume();
          fail();
          return;
        }
      }
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (up: IncomingMessage) => {
          if (injection?.afterCommit) {
            up.resume();
            up.on('end', fail);
            return;
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
