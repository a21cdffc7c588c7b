// Generated region files of any size, for benchmarks.
import { AWS_REGION_CODES } from '../src/core/aws-regions.js';

/**
 * `count` region entries split over always-on and scalable, with distinct VPC CIDRs. Past the 39
 * real region codes the codes repeat, so the duplicate-region rule has work to do as well.
 */
export function generatedRegionFiles(count: number): { alwaysOn: string; scalable: string } {
  const entry = (i: number, scalable: boolean) =>
    [
      `  - region: ${AWS_REGION_CODES[i % AWS_REGION_CODES.length] ?? 'us-east-1'}`,
      ...(scalable ? [`    enabled: ${String(i % 2 === 0)}`] : []),
      '    cluster:',
      '      kubernetes_version: "1.35"',
      `      vpc_cidr: 10.${Math.floor(i / 256) % 256}.${i % 256}.0/24`,
      '      node_groups:',
      '        - name: edge',
      '          instance_types: [c7i.large, c6i.large]',
      '          capacity_type: ON_DEMAND',
      '          max_size: 8',
      '    edge:',
      '      min_replicas: 2',
      '      max_replicas: 16',
      '      cache_size: 30Gi',
    ].join('\n');
  const alwaysOnCount = Math.max(1, Math.floor(count / 10));
  const indices = Array.from({ length: count }, (_, i) => i);
  return {
    alwaysOn: `regions:\n${indices
      .slice(0, alwaysOnCount)
      .map((i) => entry(i, false))
      .join('\n')}\n`,
    scalable: `regions:\n${indices
      .slice(alwaysOnCount)
      .map((i) => entry(i, true))
      .join('\n')}\n`,
  };
}
