// The one schema of the region files. Types are derived from it (FromSchema), and
// `npm run build` writes it out as JSON Schema under schema/ for editors, so nothing is written twice.
// Keys are snake_case: the YAML key, the schema property, the TypeScript field and the Terraform
// variable of one concept share one name.
import type { FromSchema } from 'json-schema-to-ts';
import { AWS_REGION_CODES } from './aws-regions.js';

const count = (description: string, minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum, description }) as const;

// A node group is an EKS Auto Mode node pool: Karpenter makes nodes of these types when the edge's
// pods need them, up to max_size, and removes them when they are empty. src/core/capacity.ts
// reads it (regionCapacity), so that other code need not know this shape.
const nodeGroup = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'instance_types', 'max_size'],
  properties: {
    name: {
      type: 'string',
      pattern: '^[a-z][a-z0-9-]{0,37}$',
      description: 'Name of the node pool, unique within the region: lower-case letters, digits and dashes, at most 38 characters.',
    },
    instance_types: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      uniqueItems: true,
      items: {
        type: 'string',
        pattern: '^[a-z][a-z0-9-]*\\.(large|([1-9][0-9]*)?xlarge)$',
        description: 'An EC2 instance type of size large or bigger (c7i.large, m7g.2xlarge): EKS Auto Mode makes no smaller nodes.',
      },
      description: 'EC2 instance types the pool may use (for example c7i.large).',
    },
    capacity_type: {
      enum: ['ON_DEMAND', 'SPOT'],
      default: 'ON_DEMAND',
      description: 'ON_DEMAND or SPOT capacity.',
    },
    max_size: count('Most nodes the pool grows to.', 1, 450),
    // Admitted, with a warning, so that region files written before node pools still load.
    min_size: count('No longer used: Auto Mode makes nodes as the edge needs them; remove it.', 0, 450),
    disk_size: {
      ...count("Ephemeral storage of each node, in GiB: it holds the edge's cache, images and logs.", 20, 16384),
      default: 80,
    },
  },
} as const;

const cluster = {
  type: 'object',
  additionalProperties: false,
  required: ['kubernetes_version', 'node_groups'],
  properties: {
    kubernetes_version: {
      type: 'string',
      pattern: '^1\\.[0-9]{1,2}$',
      description: 'EKS Kubernetes minor version, quoted ("1.35"), within EKS support.',
    },
    vpc_cidr: {
      type: 'string',
      description: 'IPv4 CIDR of the region VPC, /16 to /24; distinct from every other region.',
    },
    availability_zones: { ...count('How many availability zones the VPC spans.', 2, 6), default: 3 },
    node_groups: {
      type: 'array',
      minItems: 1,
      maxItems: 8,
      items: nodeGroup,
      description: 'The node pools the edge runs on (EKS Auto Mode).',
    },
  },
} as const;

const edge = {
  type: 'object',
  additionalProperties: false,
  required: ['min_replicas', 'max_replicas', 'cache_size'],
  properties: {
    min_replicas: count('Fewest edge cache pods (HorizontalPodAutoscaler minimum).', 1, 1000),
    max_replicas: count('Most edge cache pods (HorizontalPodAutoscaler maximum).', 1, 1000),
    cache_size: {
      type: 'string',
      pattern: '^[1-9][0-9]*(Mi|Gi|Ti)$',
      description: 'Disk cache of each edge pod, as a Kubernetes quantity (20Gi).',
    },
    dual_stack: {
      type: 'boolean',
      default: false,
      description: 'Whether the edge load balancer also answers on IPv6 (AAAA records).',
    },
    certificate_arn: {
      type: 'string',
      pattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$',
      description: 'ACM certificate, in the same region, with which the load balancer serves HTTPS on 443.',
    },
  },
} as const;

const threshold = {
  type: 'object',
  additionalProperties: false,
  required: ['requests_per_second', 'for_minutes'],
  properties: {
    requests_per_second: count('Requests per second from the region catchment.', 0, 10_000_000),
    for_minutes: count('How long the rate must hold.', 1, 1440),
  },
} as const;

const regionProperties = {
  region: {
    type: 'string',
    enum: AWS_REGION_CODES,
    description: 'AWS region code; unique across always-on.yaml and scalable.yaml.',
  },
  cluster,
  edge,
} as const;

const alwaysOnRegion = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'cluster', 'edge'],
  properties: regionProperties,
} as const;

const scalableRegion = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'enabled', 'cluster', 'edge'],
  properties: {
    ...regionProperties,
    enabled: {
      type: 'boolean',
      description: 'Whether the region runs and serves now.',
    },
    scaling: {
      type: 'object',
      additionalProperties: false,
      required: ['enable_when', 'disable_when'],
      properties: { enable_when: threshold, disable_when: threshold },
      description: 'The load at which the region would be switched on, and off again.',
    },
  },
} as const;

export const alwaysOnFileSchema = {
  $id: 'https://kubecdn.dev/schema/always-on.schema.json',
  title: 'kubeCDN always-on regions',
  type: 'object',
  additionalProperties: false,
  required: ['regions'],
  properties: {
    regions: {
      type: 'array',
      minItems: 1,
      items: alwaysOnRegion,
      description: 'Regions that always run and serve. At least one.',
    },
  },
} as const;

export const scalableFileSchema = {
  $id: 'https://kubecdn.dev/schema/scalable.schema.json',
  title: 'kubeCDN scalable regions',
  type: 'object',
  additionalProperties: false,
  required: ['regions'],
  properties: {
    regions: {
      type: 'array',
      items: scalableRegion,
      description: 'Regions that may be switched on and off.',
    },
  },
} as const;

/** A lower-case DNS name without the final dot; schema-check recognises it to give a precise hint. */
export const HOSTNAME_PATTERN = '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$';

const hostname = {
  type: 'string',
  maxLength: 253,
  pattern: HOSTNAME_PATTERN,
} as const;

export const cdnFileSchema = {
  $id: 'https://kubecdn.dev/schema/cdn.schema.json',
  title: 'kubeCDN settings',
  type: 'object',
  additionalProperties: false,
  required: ['cdn'],
  properties: {
    cdn: {
      type: 'object',
      additionalProperties: false,
      required: ['owner_id', 'zone_id', 'zone_name', 'hostnames', 'origin'],
      properties: {
        owner_id: {
          type: 'string',
          pattern: '^[a-z0-9][a-z0-9-]{1,35}$',
          description:
            "Marks the DNS records this kubeCDN owns, and names its AWS resources: lower-case letters, digits and dashes, 2 to 36 characters (the state bucket, <owner_id>-kubecdn-state-<account id>, must fit S3's 63).",
        },
        zone_id: {
          type: 'string',
          pattern: '^Z[A-Z0-9]{1,31}$',
          description: 'Route53 hosted zone ID.',
        },
        zone_name: { ...hostname, description: 'Domain of the hosted zone, without the final dot.' },
        hostnames: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          maxItems: 10,
          items: { ...hostname, description: 'A hostname served by the CDN, inside the zone.' },
          description:
            'Hostnames that get latency records to every serving region; at most 10, the names one ACM certificate holds by default.',
        },
        ttl: { ...count('Seconds resolvers may keep an answer; a drain waits this long.', 1, 86400), default: 60 },
        health_check: {
          type: 'object',
          additionalProperties: false,
          properties: {
            path: {
              type: 'string',
              pattern: '^/[^\\s]*$',
              maxLength: 255,
              default: '/healthz',
              description: 'Path Route53 health checks request on each edge.',
            },
            protocol: { enum: ['HTTP', 'HTTPS'], default: 'HTTPS' },
            port: count('Port the health checks connect to: the edge serves HTTP on 80 and HTTPS on 443.', 1, 65535),
            interval_seconds: { enum: [10, 30], default: 30, description: 'Route53 allows 10 or 30.' },
            failure_threshold: { ...count('Failed checks before a region is unhealthy.', 1, 10), default: 3 },
          },
          default: {},
        },
        budget: {
          type: 'object',
          additionalProperties: false,
          required: ['monthly_usd'],
          properties: {
            monthly_usd: {
              type: 'number',
              exclusiveMinimum: 0,
              description: 'Most the CDN may cost a month, in US dollars, at its maximum node counts (kubecdn cost).',
            },
          },
          description: 'A monthly budget the autoscaler never exceeds when it switches regions on.',
        },
        origin: {
          type: 'object',
          additionalProperties: false,
          required: ['url'],
          properties: {
            url: {
              type: 'string',
              pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$',
              description: 'Where edges fetch what they do not have cached.',
            },
            host_header: { ...hostname, description: 'Host header sent to the origin, if not its own.' },
          },
        },
        autoscale: {
          type: 'object',
          additionalProperties: false,
          properties: {
            cooldown: {
              type: 'string',
              pattern: '^[1-9][0-9]*(m|h|d)$',
              default: '6h',
              description: "How long after a region's enabled last changed (in git) before autoscale may change it again: 90m, 6h, 2d.",
            },
            max_changes: { ...count('Most regions one autoscale run switches on or off.', 1, 100), default: 1 },
          },
          description: 'How kubecdn autoscale proposes switching scalable regions on and off.',
        },
      },
    },
  },
} as const;

export const SCHEMAS = {
  'always-on': alwaysOnFileSchema,
  scalable: scalableFileSchema,
  cdn: cdnFileSchema,
} as const;

export type FileKind = keyof typeof SCHEMAS;

export type AlwaysOnFile = FromSchema<typeof alwaysOnFileSchema>;
export type ScalableFile = FromSchema<typeof scalableFileSchema>;
export type CdnFile = FromSchema<typeof cdnFileSchema>;
export type AlwaysOnRegionSpec = AlwaysOnFile['regions'][number];
export type ScalableRegionSpec = ScalableFile['regions'][number];
export type RegionSpec = AlwaysOnRegionSpec | ScalableRegionSpec;
export type NodeGroupSpec = RegionSpec['cluster']['node_groups'][number];
export type CdnSettings = CdnFile['cdn'];
