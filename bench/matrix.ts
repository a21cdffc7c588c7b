// Change detection over 500 regions, a tenth of them changed. Baseline: comparing each pair of
// entries as JSON text, the cheapest comparison that still ignores YAML layout.
//   npx tsx bench/matrix.ts
import { detectChanges } from '../src/core/changes.js';
import type { Config, Region } from '../src/core/config.js';
import type { RegionSpec } from '../src/core/schema.js';
import { ms, time } from './timing.js';

const count = 500;
const spec = (i: number, changed: boolean): RegionSpec => ({
  region: `region-${i}`,
  cluster: {
    kubernetes_version: '1.35',
    vpc_cidr: `10.${Math.floor(i / 256)}.${i % 256}.0/24`,
    availability_zones: 3,
    node_groups: [{ name: 'edge', instance_types: ['c7i.large'], capacity_type: 'ON_DEMAND', max_size: changed ? 9 : 8, disk_size: 80 }],
  },
  edge: { min_replicas: 2, max_replicas: 16, cache_size: '30Gi', dual_stack: false },
});
const region = (i: number, changed: boolean): Region => ({
  region: `region-${i}`,
  name: `Region ${i}`,
  tier: i < 50 ? 'always-on' : 'scalable',
  serving: true,
  file: 'regions/scalable.yaml',
  line: i,
  spec: spec(i, changed),
});
const cdn = {
  owner_id: 'bench',
  zone_id: 'ZBENCH',
  zone_name: 'example.com',
  hostnames: ['cdn.example.com'],
  ttl: 60,
  health_check: { path: '/healthz', protocol: 'HTTPS' as const, interval_seconds: 30 as const, failure_threshold: 3 },
  origin: { url: 'https://origin.example.com' },
};
const base: Config = { cdn, regions: Array.from({ length: count }, (_, i) => region(i, false)) };
const head: Config = { cdn, regions: Array.from({ length: count }, (_, i) => region(i, i % 10 === 0)) };
const input = { base, head, changedPaths: ['regions/scalable.yaml'] };

const matrix = detectChanges(input);
const detect = time(50, () => detectChanges(input));
const baseline = time(50, () => base.regions.filter((r, i) => JSON.stringify(r.spec) !== JSON.stringify(head.regions[i]?.spec)).length);

console.log(`matrix: ${count} regions, ${matrix.include.length} changed`);
console.log(`  detectChanges, median of 50   ${ms(detect)}   ${(detect / baseline).toFixed(1)}x JSON text comparison (${ms(baseline)})`);
