// The load-balancer targets file: region -> { dnsName, hostedZoneId }, as the per-region Terraform
// outputs give them. Checked like the region files, with positions for every problem.
import { Ajv } from 'ajv';
import type { Problem } from '../problems.js';
import { parseSource, type SourceFile } from '../source.js';
import type { Target } from './desired.js';
import { NLB_HOSTED_ZONES } from './load-balancers.js';

const targetsSchema = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    required: ['dnsName', 'hostedZoneId'],
    properties: {
      dnsName: { type: 'string', minLength: 1, maxLength: 253 },
      hostedZoneId: { type: 'string', pattern: '^Z[A-Z0-9]{1,31}$' },
    },
  },
} as const;

let validate: ReturnType<Ajv['compile']> | undefined;

/** The AWS region in a load balancer's DNS name (NLB `….elb.<region>.amazonaws.com`, ALB `….<region>.elb.amazonaws.com`). */
export function loadBalancerRegion(dnsName: string): string | undefined {
  const name = dnsName.toLowerCase().replace(/\.$/, '');
  return (
    /\.elb\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com$/.exec(name)?.[1] ??
    /\.([a-z]{2}(?:-[a-z]+)+-\d+)\.elb\.amazonaws\.com$/.exec(name)?.[1]
  );
}

/**
 * A target Route53 would refuse, or that would send one region's users to another region. An
 * alias's DNS name must lie within its target hosted zone (Route53 refuses "alias target name does
 * not lie within the target zone"): an NLB's name `….elb.<region>.amazonaws.com` lies in that
 * region's Network Load Balancer zone only. kubeCDN's edge is a Network Load Balancer, so an
 * Application or Classic Load Balancer's name (`….<region>.elb.amazonaws.com`, another zone) is
 * refused too, as `kubecdn targets` does.
 */
function wrongTarget(region: string, target: Target): { field: 'dnsName' | 'hostedZoneId'; message: string } | undefined {
  const named = loadBalancerRegion(target.dnsName);
  if (named && named !== region)
    return { field: 'dnsName', message: `${region}.dnsName: ${target.dnsName} is a load balancer in ${named}, not ${region}` };
  const name = target.dnsName.toLowerCase().replace(/\.$/, '');
  if (!name.endsWith(`.elb.${region}.amazonaws.com`))
    return {
      field: 'dnsName',
      message: `${region}.dnsName: ${target.dnsName} is not a Network Load Balancer's name (<name>.elb.${region}.amazonaws.com)${named ? ": an Application or Classic Load Balancer's name lies in another hosted zone" : ''}`,
    };
  const zoneOf = Object.entries(NLB_HOSTED_ZONES).find(([, zone]) => zone === target.hostedZoneId)?.[0];
  if (zoneOf && zoneOf !== region)
    return {
      field: 'hostedZoneId',
      message: `${region}.hostedZoneId: ${target.hostedZoneId} is the Network Load Balancer zone of ${zoneOf}, not of ${region} (${NLB_HOSTED_ZONES[region] ?? 'unknown'})`,
    };
  const expected = NLB_HOSTED_ZONES[region];
  if (expected && target.hostedZoneId !== expected)
    return {
      field: 'hostedZoneId',
      message: `${region}.hostedZoneId: ${target.hostedZoneId} is not the Network Load Balancer zone of ${region} (${expected}); Route53 refuses an alias whose name does not lie within its target zone`,
    };
  return undefined;
}

export function loadTargets(source: SourceFile): { targets?: Record<string, Target>; problems: Problem[] } {
  const parsed = parseSource(source);
  if (!parsed.file) return { problems: parsed.problems };
  validate ??= new Ajv({ allErrors: true, strict: true }).compile(targetsSchema);
  const data = parsed.file.data ?? {};
  const file = parsed.file;
  if (validate(data)) {
    const targets = data as Record<string, Target>;
    const misplaced = Object.entries(targets).flatMap(([region, target]): Problem[] => {
      const wrong = wrongTarget(region, target);
      return wrong
        ? [
            {
              file: source.path,
              ...file.locate([region, wrong.field]),
              rule: 'targets/region',
              severity: 'error',
              message: wrong.message,
              hint: 'each region takes its own edge load balancer: is the kubeconfig or the Terraform output of another region?',
            },
          ]
        : [];
    });
    const problems = [...parsed.problems, ...misplaced];
    // A repeated key parses (the last value wins), but which target was meant is not known.
    return problems.some((p) => p.severity === 'error') ? { problems } : { targets, problems };
  }
  const problems = (validate.errors ?? []).map((e): Problem => {
    const path = e.instancePath.split('/').slice(1);
    const missing = (e.params as { missingProperty?: string }).missingProperty;
    return {
      file: source.path,
      ...file.locate(path, e.keyword === 'required'),
      rule: `targets/${e.keyword}`,
      severity: 'error',
      message: `${path.join('.') || 'targets'}: ${missing ? `missing "${missing}"` : (e.message ?? 'is not valid')}`,
      hint: 'each region maps to { "dnsName": ..., "hostedZoneId": ... }, as kubecdn targets prints it from the edge Service',
    };
  });
  return { problems: [...parsed.problems, ...problems] };
}
