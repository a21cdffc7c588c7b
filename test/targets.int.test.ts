// kubecdn targets, and sync-dns reading a folder of per-region target files as the apply jobs upload them.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NLB_HOSTED_ZONES } from '../src/core/dns/load-balancers.js';
import { readTargets } from '../src/node/dns.js';
import { kubecdn } from './run.js';

const service = (hostname?: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'edge', namespace: 'kubecdn' },
    status: { loadBalancer: hostname ? { ingress: [{ hostname }] } : {} },
  });

describe('kubecdn targets', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-targets-'));

  it("prints the region's target from the Service kubectl prints", () => {
    writeFileSync(path.join(dir, 'svc.json'), service('k8s-kubecdn-edge-1-2.elb.ap-south-1.amazonaws.com'));
    const ran = kubecdn(['targets', '--region', 'ap-south-1', '--service', 'svc.json'], { cwd: dir });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({
      'ap-south-1': { dnsName: 'k8s-kubecdn-edge-1-2.elb.ap-south-1.amazonaws.com', hostedZoneId: 'ZVDDRBQ08TROA' },
    });
  });

  it('exits 1 with the reason while the load balancer is not there', () => {
    writeFileSync(path.join(dir, 'pending.json'), service());
    const ran = kubecdn(['targets', '--region', 'ap-south-1', '--service', 'pending.json'], { cwd: dir });
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toMatch(/^kubecdn targets: Service kubecdn\/edge has no load balancer yet/);
  });
});

describe('readTargets', () => {
  const target = (region: string) => ({
    [region]: { dnsName: `a-1.elb.${region}.amazonaws.com`, hostedZoneId: NLB_HOSTED_ZONES[region] ?? '' },
  });

  it('merges a folder of per-region files, as the artifacts download them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-targets-'));
    mkdirSync(path.join(dir, 'target-eu-west-1'));
    writeFileSync(path.join(dir, 'target-eu-west-1', 'eu-west-1.json'), JSON.stringify(target('eu-west-1')));
    writeFileSync(path.join(dir, 'us-east-1.json'), JSON.stringify(target('us-east-1')));
    expect(Object.keys(await readTargets(dir, dir)).sort()).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('refuses a region given twice, naming both files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-targets-'));
    writeFileSync(path.join(dir, 'a.json'), JSON.stringify(target('eu-west-1')));
    writeFileSync(path.join(dir, 'b.json'), JSON.stringify(target('eu-west-1')));
    await expect(readTargets(dir, dir)).rejects.toThrow('b.json: eu-west-1 already has a target in a.json');
  });
});
