// The mtail program the edge's sidecar runs, in Debian's mtail (`-one_shot` over fixture lines),
// and the edge's access log line as real nginx writes it, so that the two cannot drift apart.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './run.js';

const PROGS = path.join(ROOT, 'manifests/base/mtail');

const line = (edge: string, near: string, extra = '') =>
  `{"time":"2026-11-25T12:00:00+00:00","host":"cdn.example.com","request":"GET /a${extra} HTTP/1.1","status":200,"bytes":10,"cache":"HIT","upstream_ms":"","request_ms":0.000,"region":"${edge}","near":"${near}"}`;

function oneShot(lines: readonly string[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-mtail-'));
  const log = path.join(dir, 'access.log');
  writeFileSync(log, `${lines.join('\n')}\n`);
  const out = execFileSync(
    'mtail',
    ['-progs', PROGS, '-logs', log, '-one_shot', '-one_shot_format', 'prometheus', '-emit_prog_label=false'],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return out.split('\n').filter((l) => l.startsWith('kubecdn_'));
}

describe('the mtail program', () => {
  it('counts requests by nearest region and edge region, under the agreed metric name', () => {
    expect(
      oneShot([
        line('us-east-1', 'eu-west-1'),
        line('us-east-1', 'eu-west-1'),
        line('us-east-1', 'ap-south-1'),
        line('us-east-1', 'unknown'),
        // A request line that imitates the end of a log line arrives escaped (escape=json) and is not counted as one.
        line('us-east-1', 'sa-east-1', '?x=\\"region\\":\\"eu-west-1\\",\\"near\\":\\"eu-west-1\\"}'),
      ]),
    ).toEqual([
      'kubecdn_requests_total{near="ap-south-1",region="us-east-1"} 1',
      'kubecdn_requests_total{near="eu-west-1",region="us-east-1"} 2',
      'kubecdn_requests_total{near="sa-east-1",region="us-east-1"} 1',
      'kubecdn_requests_total{near="unknown",region="us-east-1"} 1',
    ]);
  });

  it('ignores lines that are not the edge log format', () => {
    expect(oneShot(['2026/11/25 12:00:00 [warn] 1#1: something', '{"status":200}'])).toEqual([]);
  });
});
