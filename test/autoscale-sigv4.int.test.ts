// The Prometheus client's SigV4 signature for Amazon Managed Service for Prometheus, checked by an
// independent implementation: botocore (the AWS SDK for Python, installed with moto), which
// recomputes the signature from the request as a local server received it. No AWS endpoint runs
// here; botocore's signer is the published reference the service's verification follows.
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { apsRegion, Prometheus, PrometheusError } from '../src/node/prometheus.js';

const BOTOCORE = `
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
r = json.load(sys.stdin)
req = AWSRequest(method=r["method"], url=r["url"], headers=r["headers"])
auth = SigV4Auth(Credentials(r["key"], r["secret"], r["token"]), "aps", r["region"])
req.context["timestamp"] = r["headers"]["x-amz-date"]
canonical = auth.canonical_request(req)
print(auth.signature(auth.string_to_sign(req, canonical), req))
`;

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};

describe('the Prometheus client, signed for Amazon Managed Service for Prometheus', () => {
  it('knows a workspace URL by its host, and signs nothing else', () => {
    expect(apsRegion('https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234')).toBe('eu-west-1');
    expect(apsRegion('http://127.0.0.1:9090')).toBeUndefined();
  });

  it('sends a query with time= whose signature botocore computes the same', async () => {
    let seen: IncomingMessage | undefined;
    const server = createServer((req, res) => {
      seen = req;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'matrix', result: [{ metric: { near: 'eu-west-1' }, values: [[1764072000, '12.5']] }] },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    // The workspace host, answered locally: the request goes to the local server, signed as for AWS.
    const client = new Prometheus('https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234/', {
      credentials,
      fetch: (input, init) => {
        const url = new URL(input instanceof Request ? input.url : input);
        return fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, init);
      },
    });
    try {
      const series = await client.query('sum by (near) (rate(kubecdn_requests_total[2m]))[15m:60s]', 1764072000);
      expect(series).toEqual([{ metric: { near: 'eu-west-1' }, samples: [{ t: 1764072000, v: 12.5 }] }]);
      const req = seen as IncomingMessage;
      const url = new URL(req.url ?? '', 'https://aps-workspaces.eu-west-1.amazonaws.com');
      expect(url.pathname).toBe('/workspaces/ws-1234/api/v1/query');
      expect(url.searchParams.get('time')).toBe('1764072000');
      const authorization = String(req.headers['authorization']);
      const m =
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/(\d{8})\/eu-west-1\/aps\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
          authorization,
        );
      expect(m).not.toBeNull();
      const signed = (m?.[2] ?? '').split(';');
      expect(signed).toContain('host');
      expect(signed).toContain('x-amz-date');
      expect(req.headers['x-amz-security-token']).toBe('session-token');
      const headers = Object.fromEntries(
        signed.map((h) => [h, h === 'host' ? 'aps-workspaces.eu-west-1.amazonaws.com' : String(req.headers[h])]),
      );
      const reference = execFileSync('python3', ['-c', BOTOCORE], {
        input: JSON.stringify({
          method: 'GET',
          url: url.toString(),
          headers,
          key: credentials.accessKeyId,
          secret: credentials.secretAccessKey,
          token: credentials.sessionToken,
          region: 'eu-west-1',
        }),
        encoding: 'utf8',
      }).trim();
      expect(m?.[3]).toBe(reference);
    } finally {
      server.close();
    }
  });

  it('reports a refused query with what Prometheus said', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      await expect(new Prometheus(`http://127.0.0.1:${port}`).query('sum(', 1)).rejects.toThrow(PrometheusError);
      await expect(new Prometheus(`http://127.0.0.1:${port}`).query('sum(', 1)).rejects.toThrow(/refused the query \(400\): parse error/);
    } finally {
      server.close();
    }
  });
});
