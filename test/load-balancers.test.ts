// From the edge Service to the alias target: the NLB's name and its canonical hosted zone.
import { describe, expect, it } from 'vitest';
import { AWS_REGIONS } from '../src/core/aws-regions.js';
import { NLB_HOSTED_ZONES, TargetError, targetFromService } from '../src/core/dns/load-balancers.js';

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
      /kubecdn\/edge has no load balancer yet.*Load Balancer Controller running in eu-west-1/,
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
