// Instant queries to Prometheus's HTTP API, plain or signed with SigV4 for Amazon Managed Service
// for Prometheus (service `aps`). Every query names its evaluation time (`time=`), so that a run
// can be repeated with the same answer.
import { createHash, createHmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import type { Sample } from '../core/autoscale.js';

export class PrometheusError extends Error {}

const rfc3986 = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The Region of an Amazon Managed Service for Prometheus endpoint, or undefined for any other host. */
export function apsRegion(url: string): string | undefined {
  return /^aps-workspaces(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(url).hostname)?.[1];
}

/** SHA-256 (keyed: HMAC) from node:crypto, in the shape the signer asks for. */
export class Sha256 {
  private readonly hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

export interface PrometheusOptions {
  /** AWS credentials for a workspace URL; default, the SDK's chain (environment, web identity, profile). */
  readonly credentials?: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

interface ApiAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values?: [number, string][]; value?: [number, string] }[] };
}

export interface Series {
  readonly metric: Record<string, string>;
  readonly samples: Sample[];
}

export class Prometheus {
  private readonly signer: SignatureV4 | undefined;
  constructor(
    readonly url: string,
    private readonly options: PrometheusOptions = {},
  ) {
    const region = apsRegion(url);
    this.signer = region
      ? new SignatureV4({ service: 'aps', region, sha256: Sha256, credentials: options.credentials ?? defaultProvider() })
      : undefined;
  }

  /** An instant query at `time` (Unix seconds); a range vector or subquery gives each series' samples. */
  async query(query: string, time: number): Promise<Series[]> {
    const base = new URL(this.url.endsWith('/') ? this.url : `${this.url}/`);
    const endpoint = new URL('api/v1/query', base);
    const params = { query, time: String(time) };
    const headers: Record<string, string> = { host: endpoint.host, accept: 'application/json' };
    if (this.signer) {
      const signed = await this.signer.sign({
        method: 'GET',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
        path: endpoint.pathname,
        query: params,
        headers,
      });
      Object.assign(headers, signed.headers);
    }
    // Sent exactly as SigV4 canonicalises it (RFC 3986, sorted): the service recomputes the
    // signature from the query string it receives.
    endpoint.search = Object.entries(params)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
      .join('&');
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(endpoint, {
        headers: Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'host')),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new PrometheusError(`could not reach Prometheus at ${this.url}: ${(error as Error).message}`);
    }
    const text = await response.text();
    let body: ApiAnswer;
    try {
      body = JSON.parse(text) as ApiAnswer;
    } catch {
      throw new PrometheusError(`Prometheus at ${this.url} answered ${response.status} with no JSON: ${text.slice(0, 200)}`);
    }
    if (body.status !== 'success' || !body.data)
      throw new PrometheusError(`Prometheus at ${this.url} refused the query (${response.status}): ${body.error ?? text.slice(0, 200)}`);
    return body.data.result.map((r) => ({
      metric: r.metric,
      samples: (r.values ?? (r.value ? [r.value] : [])).map(([t, v]) => ({ t, v: Number(v) })),
    }));
  }
}

/** The query autoscale asks: each minute's request rate per nearest region over the last `minutes`. */
export function demandQuery(minutes: number, stepSeconds = 60): string {
  return `sum by (near) (rate(kubecdn_requests_total[2m]))[${minutes}m:${stepSeconds}s]`;
}

/** The query that says which edge regions were counted at each of those minutes. */
export function reportingQuery(minutes: number, stepSeconds = 60): string {
  return `count by (region) (kubecdn_requests_total)[${minutes}m:${stepSeconds}s]`;
}
