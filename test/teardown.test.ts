// The checks made before a teardown touches anything, and the edit that disables the region.
import { describe, expect, it } from 'vitest';
import { disableRegionText, teardownRefusal } from '../src/core/teardown.js';
import { load, region } from './fixtures.js';

const list = (...entries: string[]) => `regions:\n${entries.join('')}`;
const config = (scalable: string) => {
  const loaded = load({ scalable });
  if (!loaded.config) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config;
};

describe('teardownRefusal', () => {
  const two = config(list(region('eu-west-1', { enabled: true }), region('ap-south-1', { enabled: false })));

  it('lets a serving scalable region go when others serve', () => {
    expect(teardownRefusal(two, 'eu-west-1', 'eu-west-1')).toBeUndefined();
    expect(teardownRefusal(two, 'eu-west-1', ' eu-west-1 ')).toBeUndefined();
  });

  it('refuses unless the region is typed again exactly', () => {
    expect(teardownRefusal(two, 'eu-west-1', 'eu-west-2')).toMatch(/typed "eu-west-2", expected "eu-west-1"\. Nothing was changed/);
    expect(teardownRefusal(two, 'eu-west-1', '')).toMatch(/confirm must repeat/);
  });

  it('refuses an always-on region, a disabled one and an unknown one, saying what to do instead', () => {
    expect(teardownRefusal(two, 'us-east-1', 'us-east-1')).toMatch(/always-on \(regions\/always-on\.yaml:2\).*move it to scalable\.yaml/);
    expect(teardownRefusal(two, 'ap-south-1', 'ap-south-1')).toMatch(/already disabled/);
    expect(teardownRefusal(two, 'ca-central-1', 'ca-central-1')).toMatch(/not in the region files/);
  });

  it('refuses the last serving region', () => {
    // Only an always-on region can be last by the rules; model a CDN whose always-on regions were
    // all drained by dropping them from the loaded configuration.
    const onlyScalable = { ...two, regions: two.regions.filter((r) => r.tier === 'scalable') };
    expect(teardownRefusal(onlyScalable, 'eu-west-1', 'eu-west-1')).toMatch(/last serving region/);
  });
});

describe('disableRegionText', () => {
  const text = [
    '# comment kept',
    'regions:',
    '  - region: eu-west-1',
    '    enabled: true   # on for the launch',
    '    cluster: { kubernetes_version: "1.35" }',
    '  - region: ap-south-1',
    '    enabled: true',
    '',
  ].join('\n');

  it("changes that region's enabled to false and not one other byte", () => {
    const out = disableRegionText(text, 'ap-south-1');
    expect(out).toBe(text.replace('    enabled: true\n', '    enabled: false\n'));
    expect(disableRegionText(text, 'eu-west-1')).toBe(text.replace('enabled: true   #', 'enabled: false   #'));
  });

  it('refuses a region that is not there', () => {
    expect(() => disableRegionText(text, 'us-east-1')).toThrow(/not in the scalable regions/);
  });
});
