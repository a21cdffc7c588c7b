// What the demand count relies on in the rendered edge, with the real renderer (kubecdn manifests,
// kustomize through kubectl): the load balancer hands nginx each client's own address, or every
// request would be near the load balancer's region. The annotation's meaning is AWS's: an NLB's IP
// targets over TCP keep the client address only with preserve_client_ip.enabled=true (Elastic Load
// Balancing, "Edit target group attributes for your Network Load Balancer": disabled by default for
// IP type TCP and TLS target groups). And the geo map credits its data as its licence asks.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { kubecdn, ROOT } from './run.js';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';

interface Obj {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
}

describe('what $near depends on in the rendered edge', () => {
  it("keeps each client's own address at the load balancer: IP targets with client IP preservation", () => {
    const ran = kubecdn(['manifests', '--region', 'us-east-1', '--certificate-arn', CERTIFICATE], { cwd: ROOT });
    expect(ran.code, ran.stderr).toBe(0);
    const service = parseAllDocuments(ran.stdout)
      .map((d) => d.toJS() as Obj)
      .find((o) => o.kind === 'Service' && o.metadata.name.endsWith('edge'));
    const annotations = service?.metadata.annotations ?? {};
    expect(annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type']).toBe('ip');
    const attributes = (annotations['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'] ?? '').split(',');
    expect(attributes).toContain('preserve_client_ip.enabled=true');
    // Proxy protocol would hide the address behind a header nginx is not told to read.
    expect(attributes).not.toContain('proxy_protocol_v2.enabled=true');
  });

  it('credits the address data as CC BY 4.0 asks: the source, the licence URI, and that it was adapted', () => {
    const header = readFileSync(path.join(ROOT, 'manifests/base/near.conf'), 'utf8').split('\n').slice(0, 6).join('\n');
    expect(header).toContain('Adapted from @ip-location-db/geo-whois-asn-country (https://github.com/sapics/ip-location-db)');
    expect(header).toContain('licensed CC BY 4.0');
    expect(header).toContain('(https://creativecommons.org/licenses/by/4.0/); changes:');
  });
});
