// From the edge Service to the alias target: the NLB's name and its canonical hosted zone.
import { describe, expect, it } from 'vitest';
import { AWS_REGIONS } from '../src/core/aws-regions.js';
import { NLB_HOSTED_ZONES, TargetError, targetFromService } from '../src/core/dns/load-balancers.js';
import { loadTargets } from '../src/core/dns/targets.js';

const service = (...hostnames: string[]) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'edge', namespace: 'kubecdn' },
  status: { loadBalancer: { ingress: hostnames.map((hostname) => ({ hostname })) } },
});

describe('targetFromService', () => {
  it("gives the NLB's name and the region's NLB hosted zone", () => {
    expect(targetFromService(service('k8s-kubecdn-edge-0a1b2c3d4e-0123456789abcdef.elb.eu-west-1.amazonaws.com'), 'eu-west-1')).toEqual({
      dnsName: 'k8s-kubecdn-edge-0a1b2c3d4e-0123456789abcdef.elb.eu-west-1.amazonaws.com',
      hostedZoneId: 'Z2IFOLAFXWLO4F',
    });
  });

  it('refuses a Service whose load balancer is not made yet, naming the likely cause', () => {
    expect(() => targetFromService(service(), 'eu-west-1')).toThrow(
      /kubecdn\/edge has no load balancer yet.*load balancing on in eu-west-1's cluster/,
    );
  });

  it('refuses a load balancer in another region: a kubeconfig pointing at the wrong cluster', () => {
    expect(() => targetFromService(service('a-1.elb.us-east-1.amazonaws.com'), 'eu-west-1')).toThrow(/is in us-east-1, not eu-west-1/);
  });

  it("refuses an Application Load Balancer's name, whose zone differs", () => {
    expect(() => targetFromService(service('k8s-a-1.eu-west-1.elb.amazonaws.com'), 'eu-west-1')).toThrow(TargetError);
    expect(() => targetFromService(service('k8s-a-1.eu-west-1.elb.amazonaws.com'), 'eu-west-1')).toThrow(/not a Network Load Balancer/);
  });

  it('refuses anything but a Service, and a Service with two load balancers', () => {
    expect(() => targetFromService({ kind: 'Deployment' }, 'eu-west-1')).toThrow(/expected a Service/);
    expect(() => targetFromService(service('a.elb.eu-west-1.amazonaws.com', 'b.elb.eu-west-1.amazonaws.com'), 'eu-west-1')).toThrow(
      /2 load balancers/,
    );
  });

  it('takes the hosted zone given for a region without a table entry', () => {
    expect(() => targetFromService(service('a-1.elb.eusc-de-east-1.amazonaws.com'), 'eusc-de-east-1')).toThrow(/--hosted-zone-id/);
    expect(targetFromService(service('a-1.elb.eusc-de-east-1.amazonaws.com'), 'eusc-de-east-1', 'Z0EXAMPLE').hostedZoneId).toBe(
      'Z0EXAMPLE',
    );
  });
});

describe('NLB_HOSTED_ZONES', () => {
  it('has a zone for every region the region files accept (the aws partition)', () => {
    const accepted = [...AWS_REGIONS.values()].filter((r) => r.partition === 'aws').map((r) => r.code);
    expect(accepted.filter((code) => !NLB_HOSTED_ZONES[code])).toEqual([]);
    expect(Object.keys(NLB_HOSTED_ZONES).filter((code) => !accepted.includes(code))).toEqual([]);
  });

  it('holds zone ids Route53 accepts in an alias target, each region its own', () => {
    const zones = Object.values(NLB_HOSTED_ZONES);
    for (const zone of zones) expect(zone).toMatch(/^Z[A-Z0-9]{1,31}$/);
    expect(new Set(zones).size).toBe(zones.length);
  });
});

// The targets file is pure input: these run the core's own loader, no peer.
describe('loadTargets', () => {
  const load = (text: string) => loadTargets({ path: 'targets.json', text });

  it('refuses a region given twice in one file, at the second key, and gives no targets', () => {
    const result = load(
      '{\n  "eu-west-1": {"dnsName": "a-1.elb.eu-west-1.amazonaws.com", "hostedZoneId": "Z2IFOLAFXWLO4F"},\n  "eu-west-1": {"dnsName": "b-1.elb.eu-west-1.amazonaws.com", "hostedZoneId": "Z2IFOLAFXWLO4F"}\n}\n',
    );
    expect(result.targets).toBeUndefined();
    expect(result.problems).toEqual([
      expect.objectContaining({ file: 'targets.json', line: 3, column: 3, message: 'duplicate key "eu-west-1"' }),
    ]);
  });

  it("refuses a target whose load balancer is in another region, or whose zone is another region's", () => {
    const nlb = load('{"eu-west-1": {"dnsName": "a-1.elb.us-east-1.amazonaws.com", "hostedZoneId": "Z2IFOLAFXWLO4F"}}');
    expect(nlb.targets).toBeUndefined();
    expect(nlb.problems).toEqual([
      expect.objectContaining({
        line: 1,
        column: 27,
        rule: 'targets/region',
        message: 'eu-west-1.dnsName: a-1.elb.us-east-1.amazonaws.com is a load balancer in us-east-1, not eu-west-1',
      }),
    ]);
    const alb = load('{"eu-west-1": {"dnsName": "k8s-a-1.us-east-1.elb.amazonaws.com", "hostedZoneId": "Z2IFOLAFXWLO4F"}}');
    expect(alb.problems[0]?.message).toMatch(/is a load balancer in us-east-1, not eu-west-1/);
    const zone = load('{"eu-west-1": {"dnsName": "a-1.elb.eu-west-1.amazonaws.com", "hostedZoneId": "Z26RNL4JYFTOTI"}}');
    expect(zone.problems[0]?.message).toBe(
      'eu-west-1.hostedZoneId: Z26RNL4JYFTOTI is the Network Load Balancer zone of us-east-1, not of eu-west-1 (Z2IFOLAFXWLO4F)',
    );
  });

  it("refuses, at its place, a target Route53 would refuse: an ALB's name, or an NLB's name with another zone", () => {
    const alb = load('{"eu-west-1": {\n  "dnsName": "k8s-a-1.eu-west-1.elb.amazonaws.com",\n  "hostedZoneId": "Z2IFOLAFXWLO4F"}}');
    expect(alb.targets).toBeUndefined();
    expect(alb.problems).toEqual([
      expect.objectContaining({
        file: 'targets.json',
        line: 2,
        column: 14,
        rule: 'targets/region',
        message:
          "eu-west-1.dnsName: k8s-a-1.eu-west-1.elb.amazonaws.com is not a Network Load Balancer's name (<name>.elb.eu-west-1.amazonaws.com): an Application or Classic Load Balancer's name lies in another hosted zone",
      }),
    ]);
    const zone = load('{"eu-west-1": {\n  "dnsName": "a-1.elb.eu-west-1.amazonaws.com",\n  "hostedZoneId": "Z32O12XQLNTSW2"}}');
    expect(zone.targets).toBeUndefined();
    expect(zone.problems).toEqual([
      expect.objectContaining({
        line: 3,
        column: 19,
        message:
          'eu-west-1.hostedZoneId: Z32O12XQLNTSW2 is not the Network Load Balancer zone of eu-west-1 (Z2IFOLAFXWLO4F); Route53 refuses an alias whose name does not lie within its target zone',
      }),
    ]);
  });

  it('takes a well-formed file', () => {
    expect(load('{"eu-west-1": {"dnsName": "a-1.elb.eu-west-1.amazonaws.com", "hostedZoneId": "Z2IFOLAFXWLO4F"}}').targets).toEqual({
      'eu-west-1': { dnsName: 'a-1.elb.eu-west-1.amazonaws.com', hostedZoneId: 'Z2IFOLAFXWLO4F' },
    });
  });
});
