import { describe, expect, it } from 'vitest';
import { CDN_YAML, findings, load, region } from './fixtures.js';

describe('YAML problems carry their position', () => {
  it('reports a syntax error at its line and column and checks nothing else in that file', () => {
    // The flow sequence opened on line 3 is still open where the file ends, on line 4.
    const result = load({ alwaysOn: 'regions:\n  - region: us-east-1\n    cluster: [unclosed\n' });
    expect(result.config).toBeUndefined();
    expect(findings(result)).toEqual([
      'regions/always-on.yaml:4:1 yaml/syntax Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(findings(load({ alwaysOn: 'regions:\n\t- region: us-east-1\n' }))).toEqual([
      'regions/always-on.yaml:2:1 yaml/syntax tabs are not allowed for indentation in YAML',
    ]);
  });

  it('reports a duplicate key by name at the repeated key, and still checks the rest of the file', () => {
    const text = `regions:\n${region('us-east-1')}`.replace('      max_replicas: 8', '      max_replicas: 8\n      max_replicas: 9');
    const result = load({ alwaysOn: `${text}${region('us-west-2', { cidr: '10.0.0.0/33' })}` });
    expect(findings(result)).toEqual([
      'regions/always-on.yaml:13:7 yaml/duplicate-key duplicate key "max_replicas"',
      'regions/always-on.yaml:18:17 cidr/invalid us-west-2 cluster.vpc_cidr: "10.0.0.0/33" is not an IPv4 CIDR',
    ]);
  });

  it('reports an empty file', () => {
    expect(findings(load({ cdn: '# nothing yet\n' }))).toEqual(['regions/cdn.yaml:1:1 file/empty regions/cdn.yaml is empty']);
  });

  it('reports a missing required file, and accepts a missing scalable.yaml', () => {
    expect(findings(load({}, { omit: ['cdn'] }))).toEqual(['regions/cdn.yaml:1:1 file/missing cdn.yaml is missing']);
    const withoutScalable = load({}, { omit: ['scalable'] });
    expect(withoutScalable.problems).toEqual([]);
    expect(withoutScalable.config?.regions.map((r) => r.region)).toEqual(['us-east-1']);
  });

  it('keeps every problem of every file, in file and line order', () => {
    const result = load({
      alwaysOn: `regions:\n${region('us-east-1', { version: '1.20' })}`,
      cdn: CDN_YAML.replace('zone_id: Z0TEST', 'zone_id: z-lower'),
    });
    expect(findings(result)).toEqual([
      'regions/always-on.yaml:4:27 kubernetes/unsupported us-east-1 cluster.kubernetes_version: 1.20 is not a Kubernetes version EKS supports',
      'regions/cdn.yaml:3:12 schema/pattern cdn.zone_id: "z-lower" is not valid here',
    ]);
  });
});
