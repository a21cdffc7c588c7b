// From an edge Service, as `kubectl get service -o json` prints it once the AWS Load Balancer
// Controller has made its Network Load Balancer, to the target an alias record names: the NLB's DNS
// name and its canonical hosted zone.
import type { Target } from './desired.js';

/**
 * The Route53 hosted zone of Network Load Balancers in each region: what an alias record to an NLB
 * gives as its HostedZoneId. From the service endpoints table of "Elastic Load Balancing endpoints
 * and quotas" in the AWS General Reference (the column for Network Load Balancers); Terraform's
 * aws_lb_hosted_zone_id and ExternalDNS carry the same table. A test holds it to every region the
 * region files accept.
 */
export const NLB_HOSTED_ZONES: Readonly<Record<string, string>> = {
  'af-south-1': 'Z203XCE67M25HM',
  'ap-east-1': 'Z12Y7K3UBGUAD1',
  'ap-east-2': 'Z09176273OC2HWIAUNYW',
  'ap-northeast-1': 'Z31USIVHYNEOWT',
  'ap-northeast-2': 'ZIBE1TIR4HY56',
  'ap-northeast-3': 'Z1GWIQ4HH19I5X',
  'ap-south-1': 'ZVDDRBQ08TROA',
  'ap-south-2': 'Z0711778386UTO08407HT',
  'ap-southeast-1': 'ZKVM4W9LS7TM',
  'ap-southeast-2': 'ZCT6FZBF4DROD',
  'ap-southeast-3': 'Z01971771FYVNCOVWJU1G',
  'ap-southeast-4': 'Z01156963G8MIIL7X90IV',
  'ap-southeast-5': 'Z026317210H9ACVTRO6FB',
  'ap-southeast-6': 'Z01392953RKV2Q3RBP0KU',
  'ap-southeast-7': 'Z054363131YWATEMWRG5L',
  'ca-central-1': 'Z2EPGBW3API2WT',
  'ca-west-1': 'Z02754302KBB00W2LKWZ9',
  'eu-central-1': 'Z3F0SRJ5LGBH90',
  'eu-central-2': 'Z02239872DOALSIDCX66S',
  'eu-north-1': 'Z1UDT6IFJ4EJM',
  'eu-south-1': 'Z23146JA1KNAFP',
  'eu-south-2': 'Z1011216NVTVYADP1SSV',
  'eu-west-1': 'Z2IFOLAFXWLO4F',
  'eu-west-2': 'ZD4D7Y8KGAS4G',
  'eu-west-3': 'Z1CMS0P5QUZ6D5',
  'il-central-1': 'Z0313266YDI6ZRHTGQY4',
  'me-central-1': 'Z00282643NTTLPANJJG2P',
  'me-south-1': 'Z3QSRYVP46NYYV',
  'mx-central-1': 'Z02031231H3ID6HYJ9A7U',
  'sa-east-1': 'ZTK26PT1VY4CU',
  'us-east-1': 'Z26RNL4JYFTOTI',
  'us-east-2': 'ZLMOA37VPKANP',
  'us-west-1': 'Z24FKFUX50B4VW',
  'us-west-2': 'Z18D5FSROUN65G',
};

/** An NLB's name in DNS: `<name>-<id>.elb.<region>.amazonaws.com`. */
const NLB_HOSTNAME = /^[a-z0-9-]+\.elb\.([a-z0-9-]+)\.amazonaws\.com\.?$/;

interface ServiceJson {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly hostname?: string; readonly ip?: string }[] } };
}

export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

/**
 * The alias target of a region's edge. Refuses, rather than guess, when the Service has no load
 * balancer yet, when its load balancer is not a Network Load Balancer, or when it is in another
 * region than the one it is collected for (a kubeconfig pointing at the wrong cluster).
 */
export function targetFromService(service: unknown, region: string, hostedZoneId?: string): Target {
  const svc = service as ServiceJson;
  const name = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
  if (svc.kind !== 'Service')
    throw new TargetError(`expected a Service as kubectl get service -o json prints it, got ${svc.kind ?? 'no kind'}`);
  const hostnames = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.hostname).filter((h): h is string => Boolean(h));
  const [hostname, ...others] = hostnames;
  if (!hostname)
    throw new TargetError(
      `Service ${name} has no load balancer yet (status.loadBalancer.ingress is empty): is EKS Auto Mode's load balancing on in ${region}'s cluster?`,
    );
  if (others.length)
    throw new TargetError(`Service ${name} has ${hostnames.length} load balancers (${hostnames.join(', ')}); expected one`);
  const dnsName = hostname.toLowerCase().replace(/\.$/, '');
  const match = NLB_HOSTNAME.exec(dnsName);
  if (!match)
    throw new TargetError(`Service ${name}: ${hostname} is not a Network Load Balancer's name (<name>.elb.<region>.amazonaws.com)`);
  if (match[1] !== region) throw new TargetError(`Service ${name}: its load balancer ${hostname} is in ${match[1] ?? '?'}, not ${region}`);
  const zone = hostedZoneId ?? NLB_HOSTED_ZONES[region];
  if (!zone) throw new TargetError(`no known Network Load Balancer hosted zone for ${region}; give it with --hosted-zone-id`);
  return { dnsName, hostedZoneId: zone };
}
