import { describe, expect, it } from 'vitest';
import { CDN_YAML, findings, load, region } from './fixtures.js';

const alwaysOn = (...entries: string[]) => `regions:\n${entries.join('')}`;

describe('schema problems name the key, the place and a way out', () => {
  it('unknown key, with the nearest known key as a hint', () => {
    const result = load({ alwaysOn: alwaysOn(region('us-east-1').replace('cache_size: 10Gi', 'cache_sise: 10Gi')) });
    expect(findings(result)).toEqual([
      'regions/always-on.yaml:10:5 schema/required us-east-1 edge: missing required key "cache_size"',
      'regions/always-on.yaml:13:7 schema/additionalProperties us-east-1 edge: unknown key "cache_sise"',
    ]);
    expect(result.problems[1]?.hint).toBe('did you mean "cache_size"?');
    expect(result.problems[0]?.hint).toBe('Disk cache of each edge pod, as a Kubernetes quantity (20Gi).');
  });

  it('unknown key far from any known one lists the keys allowed there', () => {
    const result = load({ alwaysOn: alwaysOn(region('us-east-1', { extra: '    colour: blue\n' })) });
    expect(findings(result)).toEqual(['regions/always-on.yaml:14:5 schema/additionalProperties us-east-1: unknown key "colour"']);
    expect(result.problems[0]?.hint).toBe('allowed here: region, cluster, edge');
  });

  it('missing key of a whole entry is reported at the entry, by region', () => {
    const entry = region('us-east-1').split('    edge:')[0] ?? '';
    expect(findings(load({ alwaysOn: alwaysOn(entry) }))).toEqual([
      'regions/always-on.yaml:2:5 schema/required us-east-1: missing required key "edge"',
    ]);
  });

  it('an unquoted version is a number to YAML, and the hint says to quote it', () => {
    const result = load({ alwaysOn: alwaysOn(region('us-east-1').replace('"1.35"', '1.30')) });
    expect(findings(result)).toEqual([
      'regions/always-on.yaml:4:27 schema/type us-east-1 cluster.kubernetes_version: must be text, not the number 1.3',
    ]);
    expect(result.problems[0]?.hint).toBe('YAML reads an unquoted 1.30 as the number 1.3: put it in quotes, as "1.30"');
  });

  it('the quoting hint names the version as written, not an example', () => {
    const result = load({ alwaysOn: alwaysOn(region('us-east-1').replace('"1.35"', '1.35')) });
    expect(result.problems[0]?.hint).toBe('YAML reads an unquoted 1.35 as a number: put it in quotes, as "1.35"');
  });

  it('yes is not a boolean in YAML 1.2', () => {
    const result = load({ scalable: `regions:\n${region('eu-west-1', { enabled: true }).replace('enabled: true', 'enabled: yes')}` });
    expect(findings(result)).toEqual([
      'regions/scalable.yaml:3:14 schema/type eu-west-1 enabled: must be true or false, not the text "yes"',
    ]);
    expect(result.problems[0]?.hint).toBe('write true or false (YAML 1.2 reads yes, no, on and off as text)');
  });

  it('enabled in always-on.yaml says where a region that switches on and off belongs', () => {
    const result = load({ alwaysOn: alwaysOn(region('us-east-1', { enabled: true })) });
    expect(findings(result)).toEqual(['regions/always-on.yaml:3:5 schema/additionalProperties us-east-1: unknown key "enabled"']);
    expect(result.problems[0]?.hint).toBe(
      'always-on regions always serve; to switch this region on and off, move its entry to scalable.yaml',
    );
  });

  it.each([
    ['cdn.example.com.', 'drop the final dot: write cdn.example.com'],
    ['CDN.Example.com', 'hostnames are lower-case here: write cdn.example.com'],
    ['cdn.exämple.com', 'write an internationalised name in its punycode form: cdn.xn--exmple-cua.com'],
  ])('the hostname %s is refused with its fix', (name, hint) => {
    const result = load({ cdn: CDN_YAML.replace('[cdn.example.com]', `["${name}"]`) });
    const pattern = result.problems.find((p) => p.rule === 'schema/pattern');
    expect(pattern && `${pattern.line}:${pattern.column} ${pattern.message}`).toBe(`5:15 cdn.hostnames[0]: "${name}" is not valid here`);
    expect(pattern?.hint).toBe(hint);
  });

  it('a final dot or capitals do not also claim the name is outside the zone', () => {
    const result = load({ cdn: CDN_YAML.replace('[cdn.example.com]', '["cdn.example.com.", CDN.example.com]') });
    expect(result.problems.map((p) => p.rule)).toEqual(['schema/pattern', 'schema/pattern']);
  });

  it('a byte that is not UTF-8 is named as an encoding problem at its place', () => {
    // readFile(…, 'utf8') and `git show` both turn such a byte into U+FFFD.
    const result = load({ cdn: `${CDN_YAML}# caf\uFFFD\n` });
    expect(findings(result)).toEqual(['regions/cdn.yaml:8:6 yaml/encoding the file is not valid UTF-8 here']);
    expect(result.problems[0]?.hint).toContain('save the file as UTF-8');
  });

  it('YAML merge keys are read, so alike entries can share their settings', () => {
    const first = region('us-east-1').replace('    cluster:', '    cluster: &cluster');
    const second = [
      '  - region: us-west-2',
      '    cluster:',
      '      <<: *cluster',
      '      vpc_cidr: 10.1.0.0/16',
      '    edge:',
      '      min_replicas: 2',
      '      max_replicas: 8',
      '      cache_size: 10Gi',
      '',
    ].join('\n');
    const result = load({ alwaysOn: alwaysOn(first, second) });
    expect(findings(result)).toEqual([]);
    expect(result.config?.regions.find((r) => r.region === 'us-west-2')?.spec.cluster.kubernetes_version).toBe('1.35');
  });

  it('a misspelt region gets "did you mean"', () => {
    const result = load({ scalable: `regions:\n${region('eu-wset-1', { enabled: true })}` });
    expect(findings(result)).toEqual(['regions/scalable.yaml:2:13 schema/enum regions[0].region: unknown AWS region "eu-wset-1"']);
    expect(result.problems[0]?.hint).toBe('did you mean "eu-west-1"?');
  });

  it('a region far from any code points at the list of regions', () => {
    const result = load({ scalable: `regions:\n${region('moon-base-1', { enabled: true })}` });
    expect(result.problems[0]?.hint).toBe('run `kubecdn regions --all` for the regions Route53 latency routing supports');
  });

  it('a short enum lists its values', () => {
    const result = load({
      alwaysOn: alwaysOn(region('us-east-1').replace('capacity_type: ON_DEMAND', 'capacity_type: spot')),
    });
    expect(findings(result)).toEqual([
      'regions/always-on.yaml:8:26 schema/enum us-east-1 cluster.node_groups[0].capacity_type: "spot" is not one of ON_DEMAND, SPOT',
    ]);
    expect(result.problems[0]?.hint).toBe('did you mean "SPOT"?');
  });

  it('numbers out of bounds say the bound', () => {
    const result = load({
      alwaysOn: alwaysOn(
        region('us-east-1').replace('max_replicas: 8', 'max_replicas: 5000').replace('min_replicas: 2', 'min_replicas: 0'),
      ),
    });
    expect(findings(result)).toEqual([
      'regions/always-on.yaml:11:21 schema/minimum us-east-1 edge.min_replicas: must be at least 1, not 0',
      'regions/always-on.yaml:12:21 capacity/replicas-fit-pools us-east-1 edge.max_replicas: 5000 edge pods cannot all run: the node pools hold at most 18 ("edge" 6 x 3 nodes x pods per node)',
      'regions/always-on.yaml:12:21 schema/maximum us-east-1 edge.max_replicas: must be at most 1000, not 5000',
    ]);
  });

  it('an empty always-on list is refused at its key', () => {
    expect(findings(load({ alwaysOn: 'regions: []\n' }))).toEqual([
      'regions/always-on.yaml:1:1 schema/minItems regions: must list at least 1 entry',
    ]);
  });

  it('a hostname listed twice is reported at its first place', () => {
    const result = load({ cdn: CDN_YAML.replace('hostnames: [cdn.example.com]', 'hostnames: [cdn.example.com, cdn.example.com]') });
    expect(findings(result)).toEqual(['regions/cdn.yaml:5:15 schema/uniqueItems cdn.hostnames: lists "cdn.example.com" twice']);
    expect(result.problems[0]?.hint).toBe('entries 1 and 2 are the same; keep one');
  });

  it('a value of the wrong form is explained by its description', () => {
    const result = load({ alwaysOn: alwaysOn(region('us-east-1').replace('cache_size: 10Gi', 'cache_size: 10GB')) });
    expect(findings(result)).toEqual(['regions/always-on.yaml:13:19 schema/pattern us-east-1 edge.cache_size: "10GB" is not valid here']);
    expect(result.problems[0]?.hint).toBe('Disk cache of each edge pod, as a Kubernetes quantity (20Gi).');
  });
});

describe('a valid configuration', () => {
  it('has defaults filled in and the serving regions marked', () => {
    const result = load({
      scalable: `regions:\n${region('eu-west-1', { enabled: true })}${region('ap-south-1', { enabled: false })}`,
    });
    expect(result.problems).toEqual([]);
    const config = result.config;
    expect(config?.regions.map((r) => [r.region, r.tier, r.serving, r.file, r.line])).toEqual([
      ['us-east-1', 'always-on', true, 'regions/always-on.yaml', 2],
      ['eu-west-1', 'scalable', true, 'regions/scalable.yaml', 2],
      ['ap-south-1', 'scalable', false, 'regions/scalable.yaml', 15],
    ]);
    expect(config?.regions[0]?.name).toBe('US East (N. Virginia)');
    expect(config?.regions[0]?.spec.cluster.node_groups[0]).toMatchObject({ capacity_type: 'ON_DEMAND', disk_size: 80 });
    expect(config?.regions[0]?.spec.cluster.availability_zones).toBe(3);
    expect(config?.cdn.ttl).toBe(60);
    expect(config?.cdn.health_check).toEqual({ path: '/healthz', protocol: 'HTTPS', interval_seconds: 30, failure_threshold: 3 });
  });
});
