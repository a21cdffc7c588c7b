// Every region's counts in one workspace, with real peers: for each of two regions, Debian's mtail
// counting an edge access log with the sidecar's program, scraped by an agent that runs the
// prometheus.yml kubecdn manifests renders for a region with a workspace and remote-writes, signed
// with SigV4, to a real Prometheus started with --web.enable-remote-write-receiver, which
// autoscale's own queries then read. Between them, a local proxy stands in for Amazon Managed
// Service for Prometheus's SigV4 check: it signs each request again by AWS's documented rules
// (service aps, the workspace's Region, the test's static credentials) with @smithy/signature-v4,
// refuses with 403 when the signature differs or is over five minutes old, and forwards the rest.
//
// The agent here is Debian's vmagent (victoria-metrics 1.79), not Prometheus: Debian's prometheus
// (2.42) resolves sigv4 credentials but sends its remote writes unsigned, so it cannot show a
// signature; promtool from that package still checks the rendered file as an agent-mode
// configuration. vmagent takes the rendered scrape_configs as they are, and the rendered
// remote_write entry as its flags: the URL, sigv4's Region, write_relabel_configs; here it signs
// with static test credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. (In the cluster
// the agent's credentials come from EKS Pod Identity, through the AWS SDK's container credentials
// provider, not from those variables.) Adapted from the rendered file, and only this:
// kubernetes_sd_configs becomes static_configs naming the local mtail (no cluster runs here), with
// the pod metadata labels discovery would give, so that every relabelling rule runs as rendered;
// and the remote-write URL's scheme and host become the proxy's (its path, with the workspace id,
// stays).
//
// Not run here: Prometheus 3.8.1 itself, the image the Deployment pins, and Pod Identity's
// container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI and
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, served by the Pod Identity agent on each node). That
// the pinned agent signs with those credentials rests on two published facts, not on this test:
// the EKS user guide's table of the minimum AWS SDK versions that read Pod Identity credentials
// (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-minimum-sdk.html: the AWS SDK for Go v2
// from release-2023-11-14), and Prometheus 3.8 signing remote writes with
// github.com/prometheus/sigv4 v0.3.0, which is built on the AWS SDK for Go v2 (aws-sdk-go-v2).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig, type Config } from '../src/core/config.js';
import { parseWorkspaceArn } from '../src/core/metrics-agent.js';
import { renderManifests } from '../src/node/manifests.js';
import { Prometheus, reportingQuery, Sha256 } from '../src/node/prometheus.js';
import { readRegionDir } from '../src/node/region-dir.js';
import { startPrometheus, type RunningPrometheus } from './prometheus.js';
import { ROOT } from './run.js';
import { freePort } from './servers.js';

const WORKSPACE_ARN = 'arn:aws:aps:us-east-1:123456789012:workspace/ws-0a1b2c3d-1111-2222-3333-444455556666';
const OTHER_REGION_ARN = 'arn:aws:aps:eu-west-1:123456789012:workspace/ws-0a1b2c3d-1111-2222-3333-444455556666';
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const PROGS = path.join(ROOT, 'manifests/base/mtail');

const signer = (region: string, service: string) =>
  // applyChecksum off: the signature covers the headers the sender named, and adds none of its own.
  new SignatureV4({ credentials: CREDENTIALS, region, service, sha256: Sha256, applyChecksum: false });

/** x-amz-date (20261205T101500Z) as a Date. */
const amzDate = (text: string) => new Date(text.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));

interface Proxy {
  readonly url: string;
  readonly server: Server;
  readonly accepted: number[];
  readonly refused: string[];
}

/**
 * The workspace's front door: a POST to /workspaces/<id>/api/v1/remote_write whose Authorization
 * is the one SigV4 gives for service aps in the workspace's Region, over the headers it names and
 * the body, goes on to the receiver; anything else is refused, as the service refuses it.
 */
async function startProxy(workspaceArn: string, receiver: string): Promise<Proxy> {
  const workspace = parseWorkspaceArn(workspaceArn);
  const expected = signer(workspace.region, 'aps');
  const accepted: number[] = [];
  const refused: string[] = [];
  const refuse = (res: import('node:http').ServerResponse, why: string) => {
    refused.push(why);
    res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'InvalidSignatureException' });
    res.end(JSON.stringify({ message: why }));
  };
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', 'http://proxy');
        if (req.method !== 'POST' || url.pathname !== `/workspaces/${workspace.id}/api/v1/remote_write`) {
          res.writeHead(404).end();
          return;
        }
        const authorization = req.headers['authorization'] ?? '';
        const named = /SignedHeaders=([a-z0-9;-]+)/.exec(authorization)?.[1]?.split(';') ?? [];
        const date = String(req.headers['x-amz-date'] ?? '');
        if (!named.includes('host') || !named.includes('x-amz-date') || !date) {
          refuse(res, `not signed: no SigV4 Authorization in ${JSON.stringify(req.headers)}`);
          return;
        }
        const signingDate = amzDate(date);
        if (!(Math.abs(Date.now() - signingDate.getTime()) < 5 * 60_000)) {
          refuse(res, `signed at ${date}: over five minutes off`);
          return;
        }
        const headers = Object.fromEntries(named.map((h) => [h, String(req.headers[h] ?? '')]));
        const [hostname, port] = (req.headers['host'] ?? '').split(':');
        const again = await expected.sign(
          {
            method: 'POST',
            protocol: 'http:',
            hostname: hostname ?? '',
            ...(port ? { port: Number(port) } : {}),
            path: url.pathname,
            query: {},
            headers,
            body,
          },
          { signingDate },
        );
        if (again.headers['authorization'] !== authorization) {
          refuse(res, `signature does not match: sent ${authorization}, expected ${String(again.headers['authorization'])}`);
          return;
        }
        const forwarded = await fetch(`${receiver}/api/v1/write`, {
          method: 'POST',
          headers: Object.fromEntries(
            ['content-type', 'content-encoding', 'x-prometheus-remote-write-version'].flatMap((h) =>
              req.headers[h] === undefined ? [] : [[h, String(req.headers[h])]],
            ),
          ),
          body,
        });
        accepted.push(forwarded.status);
        res.writeHead(forwarded.status).end(await forwarded.text());
      })().catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, accepted, refused };
}

/** The agent's configuration, as kubecdn manifests renders it for a region with this workspace. */
async function renderedAgentConfig(config: Config, region: string, workspaceArn: string): Promise<string> {
  const r = config.regions.find((x) => x.region === region);
  if (!r) throw new Error(`no ${region} in the region files`);
  const rendered = await renderManifests(path.join(ROOT, 'manifests'), config, r, {
    certificateArn: CERTIFICATE,
    metricsWorkspaceArn: workspaceArn,
  });
  expect(rendered.problems).toEqual([]);
  const map = rendered.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('metrics-agent-'));
  const text = (map?.['data'] as Record<string, string> | undefined)?.['prometheus.yml'];
  if (!text) throw new Error(`no metrics-agent ConfigMap rendered for ${region}`);
  return text;
}

interface Adapted {
  /** The whole rendered file, adapted: what promtool checks. */
  readonly prometheus: string;
  /** Its scrape part, what vmagent's -promscrape.config takes. */
  readonly scrape: string;
  readonly url: string;
  readonly region: string;
  readonly writeRelabel: string;
}

/** The adaptation the header names: static discovery of one local mtail, and the proxy's host. */
function adapt(rendered: string, mtailPort: number, pod: string, proxy: string): Adapted {
  const config = parse(rendered) as {
    scrape_configs: Record<string, unknown>[];
    remote_write: { url: string; sigv4: { region: string }; write_relabel_configs: unknown[] }[];
  };
  const job = config.scrape_configs[0];
  if (!job?.['kubernetes_sd_configs']) throw new Error('the rendered job has no Kubernetes discovery to stand in for');
  delete job['kubernetes_sd_configs'];
  job['static_configs'] = [
    {
      targets: [`127.0.0.1:${mtailPort}`],
      labels: {
        __meta_kubernetes_pod_container_port_name: 'metrics',
        __meta_kubernetes_pod_phase: 'Running',
        __meta_kubernetes_pod_name: pod,
      },
    },
  ];
  for (const w of config.remote_write) w.url = w.url.replace(/^https:\/\/aps-workspaces\.[a-z0-9-]+\.amazonaws\.com/, proxy);
  const [write, ...more] = config.remote_write;
  if (!write || more.length) throw new Error('the rendered file has not exactly one remote_write');
  const { remote_write: _, ...scrape } = config;
  return {
    prometheus: stringify(config),
    scrape: stringify(scrape),
    url: write.url,
    region: write.sigv4.region,
    writeRelabel: stringify(write.write_relabel_configs),
  };
}

const children: ChildProcess[] = [];
const servers: Server[] = [];
let receiver: RunningPrometheus | undefined;

async function waitFor(what: string, check: () => Promise<boolean>, seconds: number, log?: string): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(`waited ${seconds} s for ${what}${log ? `: ${readFileSync(log, 'utf8').slice(-2000)}` : ''}`);
    await sleep(250);
  }
}

interface Edge {
  readonly log: string;
  readonly port: number;
}

/** mtail with the sidecar's program, over an access log the test appends to. */
async function startMtail(dir: string): Promise<Edge> {
  const log = path.join(dir, 'access.log');
  writeFileSync(log, '');
  const port = await freePort();
  const out = path.join(dir, 'mtail.log');
  children.push(
    spawn(
      'mtail',
      ['-progs', PROGS, '-logs', log, '-address', '127.0.0.1', '-port', String(port), '-emit_prog_label=false', '-logtostderr'],
      {
        stdio: ['ignore', 'ignore', openSync(out, 'a')],
      },
    ),
  );
  await waitFor('mtail', async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).ok, 20, out);
  return { log, port };
}

/** vmagent on the adapted configuration, signing with the test's credentials; promtool checks it first. */
async function startAgent(dir: string, config: Adapted): Promise<void> {
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const check = spawnSync('promtool', ['check', 'config', '--agent', file('prometheus.yml', config.prometheus)], { encoding: 'utf8' });
  expect(check.stdout + check.stderr).toContain('is valid prometheus config file syntax');
  const port = await freePort();
  const out = path.join(dir, 'agent.log');
  const child = spawn(
    'vmagent',
    [
      `-promscrape.config=${file('scrape.yml', config.scrape)}`,
      `-remoteWrite.url=${config.url}`,
      '-remoteWrite.aws.useSigv4=true',
      `-remoteWrite.aws.region=${config.region}`,
      `-remoteWrite.urlRelabelConfig=${file('write-relabel.yml', config.writeRelabel)}`,
      `-remoteWrite.tmpDataPath=${path.join(dir, 'wal')}`,
      `-httpListenAddr=127.0.0.1:${port}`,
    ],
    {
      // Only the static credentials: no profile, no instance metadata to fall back on.
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: dir,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      },
      stdio: ['ignore', 'ignore', openSync(out, 'a')],
    },
  );
  children.push(child);
  await waitFor('the agent', async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 30, out);
}

/** Lines as the edge's log_format writes them: it ends with the edge's region and the nearest one. */
const requests = (edge: Edge, region: string, near: Record<string, number>) => {
  const lines = Object.entries(near).flatMap(([n, count]) =>
    Array.from({ length: count }, (_, i) => `{"time":"2026-12-05T10:00:0${i % 10}+00:00","status":200,"region":"${region}","near":"${n}"}`),
  );
  appendFileSync(edge.log, `${lines.join('\n')}\n`);
};

const SENT: Record<string, Record<string, number>> = {
  'us-east-1': { 'us-east-1': 30, 'sa-east-1': 12 },
  'eu-west-1': { 'eu-west-1': 25, 'ap-south-1': 7, 'us-east-1': 3 },
};

let proxy: Proxy;
let config: Config;

beforeAll(async () => {
  const loaded = loadConfig(await readRegionDir(path.join(ROOT, 'regions'), ROOT), {});
  if (!loaded.config) throw new Error('the region files are invalid');
  config = loaded.config;
  receiver = await startPrometheus({ args: ['--web.enable-remote-write-receiver'] });
  proxy = await startProxy(WORKSPACE_ARN, receiver.url);
  servers.push(proxy.server);
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  for (const s of servers) s.close();
  await receiver?.stop();
});

describe('the metrics agent, as rendered, writing every region to one workspace', () => {
  it("brings both regions' counts to the one receiver, where autoscale reads them in one query", async () => {
    const at = () => Math.floor(Date.now() / 1000);
    for (const region of Object.keys(SENT)) {
      const dir = mkdtempSync(path.join(tmpdir(), `kubecdn-agent-${region}-`));
      const edge = await startMtail(dir);
      const rendered = await renderedAgentConfig(config, region, WORKSPACE_ARN);
      await startAgent(dir, adapt(rendered, edge.port, `edge-${region}`, proxy.url));
      requests(edge, region, SENT[region] ?? {});
    }

    // Counted in one query, as autoscale asks which regions were counted at each minute.
    const prometheus = new Prometheus(receiver?.url ?? '');
    const reported = async () => (await prometheus.query(reportingQuery(1, 15), at())).map((s) => s.metric['region']).sort();
    // A scrape every 15 s (as rendered), then the agent's send.
    await waitFor('both regions in the receiver', async () => (await reported()).length === 2, 60).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; the proxy refused: ${proxy.refused.slice(0, 2).join(' | ') || 'nothing'}`);
    });
    expect(await reported()).toEqual(['eu-west-1', 'us-east-1']);

    const totals = async () =>
      Object.fromEntries(
        (await prometheus.query('sum by (region, near) (kubecdn_requests_total)', at())).map((s) => [
          `${s.metric['region'] ?? ''} ${s.metric['near'] ?? ''}`,
          s.samples[0]?.v,
        ]),
      );
    const want = Object.fromEntries(Object.entries(SENT).flatMap(([r, near]) => Object.entries(near).map(([n, c]) => [`${r} ${n}`, c])));
    await waitFor(
      'every request counted',
      async () => {
        const seen = await totals();
        return Object.entries(want).every(([k, v]) => seen[k] === v);
      },
      40,
    );
    expect(await totals()).toEqual(want);

    // Only the demand counter left the agents: not their own up or scrape_* series.
    const names = (await prometheus.query('count by (__name__) ({__name__=~".+"})', at())).map((s) => s.metric['__name__']);
    expect(names).toEqual(['kubecdn_requests_total']);
    // Every write was signed as the workspace's Region asks, and accepted by the receiver.
    expect(proxy.refused).toEqual([]);
    expect(proxy.accepted.length).toBeGreaterThan(0);
    expect(proxy.accepted.every((s) => s >= 200 && s < 300)).toBe(true);
  }, 150_000);

  it('is refused when signed for another Region, and so is a request signed for another service or tampered with', async () => {
    // An agent rendered for a workspace in eu-west-1 signs for eu-west-1; the workspace is in us-east-1.
    const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-agent-wrong-region-'));
    const edge = await startMtail(dir);
    const before = proxy.refused.length;
    await startAgent(dir, adapt(await renderedAgentConfig(config, 'us-east-1', OTHER_REGION_ARN), edge.port, 'edge-wrong', proxy.url));
    requests(edge, 'ap-northeast-1', { 'ap-northeast-1': 5 });
    await waitFor('the refused write', () => Promise.resolve(proxy.refused.length > before), 60);
    expect(
      proxy.refused.slice(before).every((why) => why.includes('/eu-west-1/aps/aws4_request') && why.startsWith('signature does not match')),
    ).toBe(true);
    const seen = await new Prometheus(receiver?.url ?? '').query(
      'kubecdn_requests_total{region="ap-northeast-1"}',
      Math.floor(Date.now() / 1000),
    );
    expect(seen).toEqual([]);

    // Signed by hand: right Region, wrong service; then the right signature over another body.
    const workspace = parseWorkspaceArn(WORKSPACE_ARN);
    const target = new URL(proxy.url);
    const send = async (service: string, tamper: boolean) => {
      const body = Buffer.from('a remote write body');
      const signed = await signer(workspace.region, service).sign({
        method: 'POST',
        protocol: 'http:',
        hostname: target.hostname,
        port: Number(target.port),
        path: `/workspaces/${workspace.id}/api/v1/remote_write`,
        query: {},
        headers: { host: target.host, 'content-type': 'application/x-protobuf' },
        body,
      });
      const response = await fetch(`${proxy.url}/workspaces/${workspace.id}/api/v1/remote_write`, {
        method: 'POST',
        headers: signed.headers,
        body: tamper ? Buffer.from('another body') : body,
      });
      return response.status;
    };
    expect(await send('s3', false)).toBe(403);
    expect(await send('aps', true)).toBe(403);
    // The same request, signed for aps and untouched, gets past the check (the receiver then
    // refuses a body that is not a remote write, with 400).
    expect(await send('aps', false)).toBe(400);
  }, 120_000);
});
