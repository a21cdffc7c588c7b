// The DNS that the region files ask for: per hostname and serving region, a latency alias record
// to the region's edge load balancer (A, and AAAA when the edge is dual-stack), its ownership
// record, and a health check on the edge.
import type { Config } from '../config.js';
import { fqdn, MANAGED_TYPES, ownershipName, ownershipValue, type ManagedType, type RecordSet } from './records.js';

export interface Target {
  /** The edge load balancer's DNS name. */
  readonly dnsName: string;
  /** The load balancer's canonical hosted zone, for the alias. */
  readonly hostedZoneId: string;
}

export interface HealthCheckSpec {
  readonly region: string;
  readonly fqdn: string;
  readonly path: string;
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly interval: 10 | 30;
  readonly failureThreshold: number;
}

export interface DesiredInput {
  readonly config: Config;
  readonly targets: Readonly<Record<string, Target>>;
  /** Regions being drained: they keep running but get no DNS. */
  readonly exclude?: readonly string[];
  /** Hostnames to serve instead of the settings' own. */
  readonly hostnames?: readonly string[];
}

export interface Desired {
  readonly ownerId: string;
  /** Every record and ownership record there should be, health checks named by HEALTH_CHECK_REF. */
  readonly records: readonly RecordSet[];
  readonly healthChecks: readonly HealthCheckSpec[];
  readonly hostnames: readonly string[];
  /** Serving regions with no load-balancer target this time: their records are left as they are. */
  readonly untouched: readonly string[];
  /** Serving regions after exclusions, whether or not they have a target. */
  readonly serving: readonly string[];
  /** Every region of the region files, serving or not: the only regions --adopt may take records in. */
  readonly known: readonly string[];
}

const HEALTH_CHECK_REF = 'kubecdn:health-check:';

/** Stands for the health check of a region until its id is known. */
export function healthCheckRef(region: string): string {
  return `${HEALTH_CHECK_REF}${region}`;
}

/** The region a health-check reference stands for, or undefined for a real health-check id. */
export function refRegion(healthCheckId: string | undefined): string | undefined {
  return healthCheckId?.startsWith(HEALTH_CHECK_REF) ? healthCheckId.slice(HEALTH_CHECK_REF.length) : undefined;
}

export function desiredState(input: DesiredInput): Desired {
  const { cdn } = input.config;
  const excluded = new Set(input.exclude ?? []);
  const hostnames = (input.hostnames?.length ? input.hostnames : cdn.hostnames).map((h) => h.toLowerCase());
  const serving = input.config.regions.filter((r) => r.serving && !excluded.has(r.region));
  const records: RecordSet[] = [];
  const healthChecks: HealthCheckSpec[] = [];
  const untouched: string[] = [];
  for (const region of serving) {
    const target = input.targets[region.region];
    if (!target) {
      untouched.push(region.region);
      continue;
    }
    const health = cdn.health_check;
    healthChecks.push({
      region: region.region,
      fqdn: fqdn(target.dnsName).replace(/\.$/, ''),
      path: health.path,
      port: health.port ?? (health.protocol === 'HTTPS' ? 443 : 80),
      protocol: health.protocol,
      interval: health.interval_seconds,
      failureThreshold: health.failure_threshold,
    });
    const types: ManagedType[] = region.spec.edge.dual_stack ? [...MANAGED_TYPES] : ['A'];
    for (const hostname of hostnames) {
      for (const type of types) {
        records.push({
          name: fqdn(hostname),
          type,
          setIdentifier: region.region,
          region: region.region,
          aliasTarget: { hostedZoneId: target.hostedZoneId, dnsName: fqdn(target.dnsName), evaluateTargetHealth: true },
          healthCheckId: healthCheckRef(region.region),
        });
        records.push({
          name: ownershipName(hostname, type),
          type: 'TXT',
          setIdentifier: region.region,
          region: region.region,
          ttl: cdn.ttl,
          values: [ownershipValue(cdn.owner_id, region.region, type)],
        });
      }
    }
  }
  return {
    ownerId: cdn.owner_id,
    records,
    healthChecks,
    hostnames,
    untouched,
    serving: serving.map((r) => r.region),
    known: input.config.regions.map((r) => r.region),
  };
}
