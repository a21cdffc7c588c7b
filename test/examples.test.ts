import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/core/config.js';
import { readRegionDir } from '../src/node/region-dir.js';
import { TODAY } from './fixtures.js';
import { ROOT } from './run.js';

describe('the shipped region files', () => {
  it('are valid, with the two always-on regions of the original demo and scalable regions on and off', async () => {
    const result = loadConfig(await readRegionDir(path.join(ROOT, 'regions'), ROOT), { today: TODAY });
    expect(result.problems).toEqual([]);
    const regions = result.config?.regions ?? [];
    expect(regions.filter((r) => r.tier === 'always-on').map((r) => r.region)).toEqual(['us-east-1', 'us-west-2']);
    expect(regions.filter((r) => r.tier === 'scalable' && r.serving).length).toBeGreaterThan(0);
    expect(regions.filter((r) => r.tier === 'scalable' && !r.serving).length).toBeGreaterThan(0);
  });
});
