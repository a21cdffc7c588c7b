import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { AWS_REGION_CODES } from '../src/core/aws-regions.js';
import { CDN_YAML, findings, load, region } from './fixtures.js';

const list = (...entries: string[]) => `regions:\n${entries.join('')}`;

describe('cross-file rules', () => {
  it('a region appears once across both files; the hint points at the first', () => {
    const result = load({ scalable: list(region('us-east-1', { enabled: true })) });
    expect(findings(result)).toEqual(['regions/scalable.yaml:2:13 region/duplicate region: us-east-1 is defined twice']);
    expect(result.problems[0]?.hint).toBe('first defined at regions/always-on.yaml:2:13; a region belongs to one file, once');
  });

  it('a region in another partition cannot be served from this zone', () => {
    const result = load({ scalable: list(region('cn-north-1', { enabled: true })) });
    expect(findings(result)).toEqual([
      'regions/scalable.yaml:2:13 region/partition region: cn-north-1 is in the aws-cn partition, not aws',
    ]);
  });

  describe('capacity: what the cluster must hold for the edge', () => {
    it("a cache that cannot fit on a node group's default disk is refused at cache_size", () => {
      const result = load({ alwaysOn: list(region('us-east-1').replace('cache_size: 10Gi', 'cache_size: 60Gi')) });
      expect(findings(result)).toEqual([
        'regions/always-on.yaml:13:19 capacity/cache-fits-node us-east-1 edge.cache_size: a 60Gi cache does not fit on the nodes of node group "edge", which hold 52Gi of cache (the default disk_size of 80)',
      ]);
      expect(result.problems[0]?.hint).toBe(
        'a node keeps 10% of its disk and 20Gi for images and logs: give the group disk_size: 89 or more, or a smaller cache_size',
      );
    });

    it('the hint points at the disk_size the group sets', () => {
      const small = region('us-east-1')
        .replace('max_size: 6', 'max_size: 6\n          disk_size: 40')
        .replace('cache_size: 10Gi', 'cache_size: 20Gi');
      const result = load({ alwaysOn: list(small) });
      expect(findings(result)).toEqual([
        'regions/always-on.yaml:14:19 capacity/cache-fits-node us-east-1 edge.cache_size: a 20Gi cache does not fit on the nodes of node group "edge", which hold 16Gi of cache (disk_size: 40 at regions/always-on.yaml:10:22)',
      ]);
    });

    it('max_replicas more than the node pools can ever hold is refused at max_replicas', () => {
      // 50Gi of cache on an 80 GiB disk: one pod per node (52Gi of room), so 12 nodes hold 12.
      const big = region('us-east-1')
        .replace('max_size: 6', 'max_size: 12')
        .replace('max_replicas: 8', 'max_replicas: 24')
        .replace('cache_size: 10Gi', 'cache_size: 50Gi');
      const result = load({ alwaysOn: list(big) });
      expect(findings(result)).toEqual([
        'regions/always-on.yaml:12:21 capacity/replicas-fit-pools us-east-1 edge.max_replicas: 24 edge pods cannot all run: the node pools hold at most 12 ("edge" 12 x 1 nodes x pods per node)',
      ]);
      expect(result.problems[0]?.hint).toContain('choose max_replicas: 12 or fewer');
      expect(load({ alwaysOn: list(big.replace('max_replicas: 24', 'max_replicas: 12')) }).problems).toEqual([]);
    });

    it('counts pods per node by CPU too: a 2-vCPU node holds three 560m edge pods, however small the cache', () => {
      // c7i.large: 2000m less 70m reserved (6% of the first core, 1% of the second) = 1930m, 3 x 560m.
      const cpu = region('us-east-1').replace('max_size: 6', 'max_size: 2').replace('cache_size: 10Gi', 'cache_size: 1Gi');
      expect(load({ alwaysOn: list(cpu.replace('max_replicas: 8', 'max_replicas: 6')) }).problems).toEqual([]);
      expect(findings(load({ alwaysOn: list(cpu.replace('max_replicas: 8', 'max_replicas: 7')) }))).toEqual([
        'regions/always-on.yaml:12:21 capacity/replicas-fit-pools us-east-1 edge.max_replicas: 7 edge pods cannot all run: the node pools hold at most 6 ("edge" 2 x 3 nodes x pods per node)',
      ]);
    });

    it('dual_stack: true is refused where it is written: the VPC has no IPv6 for a dualstack load balancer', () => {
      const result = load({ alwaysOn: list(region('us-east-1').replace('cache_size: 10Gi', 'cache_size: 10Gi\n      dual_stack: true')) });
      expect(findings(result)).toEqual([
        "regions/always-on.yaml:14:19 network/dual-stack us-east-1 edge.dual_stack: dual_stack: true is not supported: the region's VPC and subnets have no IPv6, so the load balancer cannot be dualstack",
      ]);
      expect(
        load({ alwaysOn: list(region('us-east-1').replace('cache_size: 10Gi', 'cache_size: 10Gi\n      dual_stack: false')) }).problems,
      ).toEqual([]);
    });

    it('a cache that just fits is accepted', () => {
      expect(
        load({
          alwaysOn: list(region('us-east-1').replace('cache_size: 10Gi', 'cache_size: 52Gi').replace('max_replicas: 8', 'max_replicas: 6')),
        }).problems,
      ).toEqual([]);
    });

    it('a VPC whose private subnets cannot hold the edge at max_replicas is refused there', () => {
      const result = load({
        alwaysOn: list(
          region('us-east-1', { cidr: '10.1.0.0/24' })
            .replace('max_size: 6', 'max_size: 20')
            .replace('max_replicas: 8', 'max_replicas: 40'),
        ),
      });
      expect(findings(result)).toEqual([
        'regions/always-on.yaml:13:21 capacity/pod-addresses us-east-1 edge.max_replicas: 40 edge pods need 92 addresses, but the private subnets of 10.1.0.0/24 across 3 zones hold 81',
      ]);
      expect(result.problems[0]?.hint).toBe(
        'each pod takes an address, and each node one more; with this VPC choose max_replicas: 34 or fewer, or a larger vpc_cidr',
      );
    });

    it('a /24 VPC that can hold the edge is accepted', () => {
      const result = load({
        alwaysOn: list(
          region('us-east-1', { cidr: '10.1.0.0/24' })
            .replace('max_size: 6', 'max_size: 20')
            .replace('max_replicas: 8', 'max_replicas: 34'),
        ),
      });
      expect(result.problems).toEqual([]);
    });
  });

  it.each(['xn--cdn', 'sthree-cdn', 'amzn-s3-demo-cdn'])(
    'an owner_id that starts as S3 forbids a bucket name to (%s) is refused',
    (owner) => {
      const result = load({ cdn: CDN_YAML.replace('owner_id: kubecdn-test', `owner_id: ${owner}`) });
      expect(findings(result)).toEqual([
        `regions/cdn.yaml:2:13 owner-id/bucket-prefix cdn.owner_id: "${owner}" starts with ${owner.replace(/cdn$/, '')}, which S3 refuses at the start of a bucket name (the state bucket is <owner_id>-kubecdn-state-<account id>)`,
      ]);
    },
  );

  it('an owner_id too long for the names built from it is refused, saying why', () => {
    const result = load({ cdn: CDN_YAML.replace('owner_id: kubecdn-test', 'owner_id: kubecdn-owner-id-of-37-characters-xyz') });
    expect(findings(result)).toEqual([
      'regions/cdn.yaml:2:13 schema/pattern cdn.owner_id: "kubecdn-owner-id-of-37-characters-xyz" is not valid here',
    ]);
    expect(result.problems[0]?.hint).toMatch(
      /2 to 36 characters \(the state bucket, <owner_id>-kubecdn-state-<account id>, must fit S3's 63\)/,
    );
    expect(load({ cdn: CDN_YAML.replace('owner_id: kubecdn-test', 'owner_id: kubecdn-owner-id-of-36-characters-xy') }).problems).toEqual(
      [],
    );
  });

  it('a min_size from before node pools is a warning, so that older region files still load', () => {
    const result = load({ alwaysOn: list(region('us-east-1').replace('capacity_type: ON_DEMAND', 'min_size: 2')) });
    expect(findings(result)).toEqual([
      "regions/always-on.yaml:8:11 node-group/min-size us-east-1 cluster.node_groups[0].min_size: has no effect: EKS Auto Mode makes nodes as the edge's pods need them",
    ]);
    expect(result.problems[0]?.severity).toBe('warning');
    expect(result.config).toBeDefined();
  });

  it('more hostnames than one certificate holds are refused', () => {
    const names = Array.from({ length: 11 }, (_, i) => `cdn${i}.example.com`).join(', ');
    const result = load({ cdn: CDN_YAML.replace('hostnames: [cdn.example.com]', `hostnames: [${names}]`) });
    expect(findings(result)).toEqual(['regions/cdn.yaml:5:14 schema/maxItems cdn.hostnames: must NOT have more than 10 items']);
    expect(result.problems[0]?.hint).toMatch(/at most 10, the names one ACM certificate holds by default/);
  });

  it('a health check on a port the edge does not serve is refused at the port', () => {
    const result = load({ cdn: `${CDN_YAML}  health_check:\n    protocol: HTTPS\n    port: 8443\n` });
    expect(findings(result)).toEqual([
      'regions/cdn.yaml:10:11 health-check/port cdn.health_check.port: the edge does not serve HTTPS on port 8443',
    ]);
    expect(result.problems[0]?.hint).toBe("the edge's load balancer serves HTTP on 80 and HTTPS on 443: use port: 443, or leave port out");
    expect(load({ cdn: `${CDN_YAML}  health_check:\n    protocol: HTTP\n    port: 80\n` }).problems).toEqual([]);
  });

  it('edge min_replicas may not exceed max_replicas', () => {
    const result = load({ alwaysOn: list(region('us-east-1').replace('min_replicas: 2', 'min_replicas: 9')) });
    expect(findings(result)).toEqual([
      'regions/always-on.yaml:11:21 range/min-max us-east-1 edge.min_replicas: is 9, above max_replicas (8)',
    ]);
  });

  it('a region switches off below the load that switches it on', () => {
    const scaling =
      '    scaling:\n      enable_when: { requests_per_second: 500, for_minutes: 10 }\n      disable_when: { requests_per_second: 500, for_minutes: 60 }\n';
    const result = load({ scalable: list(region('eu-west-1', { enabled: false, extra: scaling })) });
    expect(findings(result)).toEqual([
      'regions/scalable.yaml:17:44 range/min-max eu-west-1 scaling.disable_when.requests_per_second: is 500, not below enable_when.requests_per_second (500)',
    ]);
    expect(result.problems[0]?.hint).toBe('switch-off must sit below switch-on, or the region would flap on and off');
  });

  it('node group names are unique within a region', () => {
    const twoGroups = region('us-east-1').replace(
      '    edge:',
      '        - name: edge\n          instance_types: [c7i.large]\n          max_size: 2\n    edge:',
    );
    const result = load({ alwaysOn: list(twoGroups) });
    expect(findings(result)).toEqual([
      'regions/always-on.yaml:10:17 node-group/duplicate-name us-east-1 cluster.node_groups[1].name: "edge" is used twice',
    ]);
  });

  describe('Kubernetes versions follow the EKS calendar', () => {
    it('a version in extended support is a warning, not an error', () => {
      const result = load({ alwaysOn: list(region('us-east-1', { version: '1.33' })) }, { today: '2026-11-25' });
      expect(result.config).toBeDefined();
      expect(findings(result)).toEqual([
        'regions/always-on.yaml:4:27 kubernetes/extended-support us-east-1 cluster.kubernetes_version: 1.33 left EKS standard support on 2026-07-29; extended support is billed extra and ends 2027-07-29',
      ]);
      expect(result.problems[0]).toMatchObject({ severity: 'warning', hint: 'choose one of 1.34, 1.35' });
    });

    it('a version past extended support is an error', () => {
      const result = load({ alwaysOn: list(region('us-east-1', { version: '1.31' })) }, { today: '2026-12-01' });
      expect(findings(result)).toEqual([
        'regions/always-on.yaml:4:27 kubernetes/unsupported us-east-1 cluster.kubernetes_version: EKS support for 1.31 ended on 2026-11-26',
      ]);
    });

    it('a version newer than the calendar says where to add it', () => {
      const result = load({ alwaysOn: list(region('us-east-1', { version: '1.40' })) });
      expect(result.problems[0]?.hint).toBe(
        'the newest version kubeCDN knows is 1.35; if EKS has released 1.40, add it to src/core/eks-versions.ts',
      );
    });
  });

  describe('VPC CIDRs', () => {
    const withCidr = (cidr: string) => load({ alwaysOn: list(region('us-east-1', { cidr })) });

    it('must parse', () => {
      expect(findings(withCidr('10.0.0/16'))).toEqual([
        'regions/always-on.yaml:5:17 cidr/invalid us-east-1 cluster.vpc_cidr: "10.0.0/16" is not an IPv4 CIDR',
      ]);
    });

    it('must be /16 to /24', () => {
      expect(findings(withCidr('10.0.0.0/8'))).toEqual([
        'regions/always-on.yaml:5:17 cidr/invalid us-east-1 cluster.vpc_cidr: /8 is outside /16 to /24',
      ]);
    });

    it('must not have host bits set; the hint gives the network', () => {
      const result = withCidr('10.1.2.3/16');
      expect(findings(result)).toEqual([
        'regions/always-on.yaml:5:17 cidr/invalid us-east-1 cluster.vpc_cidr: "10.1.2.3/16" has host bits set',
      ]);
      expect(result.problems[0]?.hint).toBe('did you mean 10.1.0.0/16?');
    });

    it('should be private', () => {
      const result = withCidr('8.8.0.0/16');
      expect(result.problems.map((p) => [p.rule, p.severity])).toEqual([['cidr/not-private', 'warning']]);
      expect(result.config).toBeDefined();
    });

    it('must not overlap across files', () => {
      const result = load({
        alwaysOn: list(region('us-east-1', { cidr: '10.10.0.0/16' })),
        scalable: list(region('eu-west-1', { enabled: true, cidr: '10.10.128.0/20' })),
      });
      expect(findings(result)).toEqual([
        "regions/scalable.yaml:6:17 cidr/overlap eu-west-1 cluster.vpc_cidr: 10.10.128.0/20 overlaps us-east-1's 10.10.0.0/16",
      ]);
      expect(result.problems[0]?.hint).toContain('the other is at regions/always-on.yaml:5:17');
    });
  });

  it('a certificate serves only the region it is in', () => {
    const arn = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';
    const result = load({
      alwaysOn: list(region('us-east-1').replace('cache_size: 10Gi', `cache_size: 10Gi\n      certificate_arn: ${arn}`)),
    });
    expect(findings(result)).toEqual([
      'regions/always-on.yaml:14:24 certificate/region us-east-1 edge.certificate_arn: the certificate is in eu-west-1, not us-east-1',
    ]);
  });

  it('hostnames live inside the zone', () => {
    const result = load({
      cdn: CDN_YAML.replace('hostnames: [cdn.example.com]', 'hostnames: [cdn.example.com, cdn.example.org, example.com]'),
    });
    expect(findings(result)).toEqual([
      'regions/cdn.yaml:5:32 hostname/outside-zone cdn.hostnames[1]: cdn.example.org is not inside the zone example.com',
    ]);
  });
});

describe('the AWS region table', () => {
  it('is exactly the set Route53 accepts for latency records', () => {
    // Read from the SDK the actions use, so that a region Route53 adds or drops shows up here.
    const require = createRequire(import.meta.url);
    const sdk = require('@aws-sdk/client-route-53') as { ResourceRecordSetRegion: Record<string, string> };
    expect([...AWS_REGION_CODES].sort()).toEqual(Object.values(sdk.ResourceRecordSetRegion).sort());
  });
});
