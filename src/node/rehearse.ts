// kubecdn rehearse: the whole life of a change on this machine, in the order the workflows run it,
// with the state checked after every step. Terraform is real (on whatever stack is given; the
// tests use one of built-in resources), DNS goes to a Route53-compatible endpoint that must be
// local, and EKS Auto Mode's load balancing is stood in for by giving each edge Service the
// load-balancer name the controller would.
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planTarget } from '../core/changes.js';
import { COMMENT_LIMIT, COMMENT_MARKER, renderComment } from '../core/comment.js';
import { targetFromService } from '../core/dns/load-balancers.js';
import { recordKey } from '../core/dns/records.js';
import { RegionConfigError, UsageError } from '../core/problems.js';
import { loadChange } from './change.js';
import { runDns } from './dns.js';
import { renderManifests } from './manifests.js';
import { displayPath } from './region-dir.js';
import { route53 } from './route53.js';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { runTeardown } from './teardown.js';
import { applyRegion, planRegion, stackOutputs } from './terraform.js';

export interface RehearseOptions {
  readonly base: string;
  readonly dir: string;
  readonly stack: string;
  readonly manifests: string;
  /** The hosted zone; default, a new one on the local endpoint. */
  readonly zoneId?: string;
  /** The region to tear down at the end; default, the first serving scalable region. */
  readonly teardown?: string;
  /** Where plans, state, targets and the comment go; default, a new temporary folder. */
  readonly workdir?: string;
  readonly log: (line: string) => void;
}

export class RehearsalFailed extends Error {
  constructor(step: string, message: string) {
    super(`${step}: ${message}`);
    this.name = 'RehearsalFailed';
  }
}

/** The Route53 endpoint, when it is not AWS's own: the rehearsal changes records for real. */
export function localEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.AWS_ENDPOINT_URL_ROUTE_53 ?? env.AWS_ENDPOINT_URL;
  if (!url) return undefined;
  const host = new URL(url).hostname;
  return ['localhost', '127.0.0.1', '::1', '[::1]'].includes(host) ? url : undefined;
}

/**
 * Rehearses, then leaves nothing behind that the user did not ask to keep: the zone it made is
 * deleted, and its temporary folder too unless a step failed (then it is kept, and named, to look at).
 * A folder given with --workdir is the user's and stays.
 */
export async function rehearse(cwd: string, options: RehearseOptions): Promise<{ workdir: string }> {
  const endpoint = localEndpoint();
  if (!endpoint)
    throw new UsageError(
      'rehearse changes DNS records, so it only runs against a local Route53-compatible endpoint: set AWS_ENDPOINT_URL_ROUTE_53, ' +
        'for example to a moto_server at http://127.0.0.1:5000',
    );
  const work = options.workdir ? path.resolve(cwd, options.workdir) : await mkdtemp(path.join(tmpdir(), 'kubecdn-rehearse-'));
  await mkdir(work, { recursive: true });
  options.log(`rehearsing in ${work}, DNS at ${endpoint}`);
  const made: MadeZone = {};
  let passed = false;
  try {
    await rehearseSteps(cwd, options, work, made);
    passed = true;
  } finally {
    if (made.zoneId) {
      await deleteHostedZone(made.zoneId);
      options.log(`removed the zone ${made.zoneId} the rehearsal made`);
    }
    if (!options.workdir && passed) await rm(work, { recursive: true, force: true });
    else if (!options.workdir) options.log(`kept ${work} to look at what failed`);
  }
  return { workdir: work };
}

interface MadeZone {
  zoneId?: string;
}

async function rehearseSteps(cwd: string, options: RehearseOptions, work: string, made: MadeZone): Promise<void> {
  const { log } = options;
  const check = (step: string, ok: boolean, message: string) => {
    if (!ok) throw new RehearsalFailed(step, message);
  };

  // 1. The plan workflow's matrix job.
  const change = await loadChange(cwd, { base: options.base, dir: options.dir });
  if (!change.matrix || !change.head.config) throw new RegionConfigError(change.head.problems);
  const head = change.head.config;
  const matrix = change.matrix;
  log(
    `✓ matrix: ${matrix.include.length} region${matrix.include.length === 1 ? '' : 's'} against ${options.base} (${change.baseSha.slice(0, 12)})` +
      matrix.include.map((e) => `\n    ${e.region} ${e.operation}: ${e.reason}`).join(''),
  );

  // 2. One plan job per region. The stack is copied: its local state lives with the rehearsal.
  const stack = path.join(work, 'stack');
  await cp(path.resolve(cwd, options.stack), stack, { recursive: true, filter: (src) => !src.includes(`${path.sep}.terraform`) });
  const out = path.join(work, 'plans');

  // 0. The CDN as it runs before the change: every region serving at the base, applied. The
  //    plans below are then what the pull request would really show.
  for (const region of change.base?.regions.filter((r) => r.serving) ?? []) {
    if (!change.base) break;
    const baseOut = path.join(work, 'base');
    const summary = await planRegion({
      stack,
      out: baseOut,
      config: change.base,
      region,
      operation: 'plan',
      reason: 'running before the change',
    });
    check('base', summary.status !== 'failed', `${region.region} at the base: ${summary.error?.message ?? ''}`);
    const applied = await applyRegion({ stack, out: baseOut, region: region.region });
    check('base', applied.ok, `${region.region} at the base: ${applied.output}`);
  }
  if (change.base) log(`✓ base: ${change.base.regions.filter((r) => r.serving).length} regions running as at ${options.base}`);
  const jobs = matrix.include.map((job) => {
    const target = planTarget(job.region, head, change.base);
    if (!target) throw new RehearsalFailed('plan', `${job.region} is in the matrix but in neither the head nor the base`);
    return { job, target };
  });
  const summaries = [];
  for (const { job, target } of jobs) {
    const summary = await planRegion({ stack, out, ...target, reason: job.reason });
    check('plan', summary.status !== 'failed', `${job.region}: ${summary.error?.step ?? ''} failed: ${summary.error?.message ?? ''}`);
    summaries.push(summary);
    const c = summary.counts;
    log(`✓ plan ${job.region}: ${summary.status}, +${c.create} ~${c.update} -${c.delete} ±${c.replace}`);
  }

  // 3. The comment job.
  const comment = renderComment({ summaries, matrix, problems: change.head.problems, commit: 'rehearsal' });
  await writeFile(path.join(work, 'comment.md'), comment);
  check('comment', comment.startsWith(COMMENT_MARKER), 'the comment does not start with its marker, so it could not be updated');
  check('comment', comment.length <= COMMENT_LIMIT, `the comment is ${comment.length} characters, over GitHub's ${COMMENT_LIMIT}`);
  for (const job of matrix.include) check('comment', comment.includes(job.region), `the comment does not mention ${job.region}`);
  log(`✓ comment: ${comment.length} characters, every region in it (${displayPath(path.join(work, 'comment.md'), cwd)})`);

  // 4. The apply workflow: each region applies exactly its reviewed plan, then is planned again,
  //    which must find nothing left to do.
  for (const { job, target } of jobs) {
    const applied = await applyRegion({ stack, out, region: job.region });
    check('apply', applied.ok, `${job.region}: ${applied.output}`);
    const again = await planRegion({ stack, out: path.join(work, 'replans'), ...target, reason: 'replan' });
    check('apply', again.status === 'no-changes', `${job.region} is not converged: planning again finds ${again.status}`);
    log(`✓ apply ${job.region}: applied, and a new plan finds no changes`);
  }

  // 5. The edge: each serving region's manifests, checked, and its load balancer's target.
  const targetsDir = path.join(work, 'targets');
  await mkdir(targetsDir, { recursive: true });
  const serving = head.regions.filter((r) => r.serving);
  for (const region of serving) {
    // The certificate the region's stack made, from this rehearsal's apply or the base's.
    const outputs = (await stackOutputs(out, region.region)) ?? (await stackOutputs(path.join(work, 'base'), region.region));
    const certificateArn = typeof outputs?.['certificate_arn'] === 'string' ? outputs['certificate_arn'] : undefined;
    const metricsWorkspaceArn = typeof outputs?.['metrics_workspace_arn'] === 'string' ? outputs['metrics_workspace_arn'] : undefined;
    const rendered = await renderManifests(path.resolve(cwd, options.manifests), head, region, {
      ...(certificateArn ? { certificateArn } : {}),
      ...(metricsWorkspaceArn ? { metricsWorkspaceArn } : {}),
    });
    check('edge', rendered.problems.length === 0, `${region.region}: ${rendered.problems.join('; ')}`);
    const service = rendered.objects.find((o) => o.kind === 'Service');
    if (!service) throw new RehearsalFailed('edge', `${region.region}: the manifests have no Service for the load balancer`);
    const target = targetFromService(withLoadBalancer(service, head.cdn.owner_id, region.region), region.region);
    await writeFile(path.join(targetsDir, `${region.region}.json`), `${JSON.stringify({ [region.region]: target }, null, 2)}\n`);
    log(`✓ edge ${region.region}: ${rendered.objects.length} objects valid, load balancer ${target.dnsName} (${target.hostedZoneId})`);
  }

  // 6. sync-dns with every serving region, then once more: the second run must have nothing to do.
  //    Without a zone given, the rehearsal makes one on the local endpoint, named as cdn.yaml says.
  if (!options.zoneId) made.zoneId = await createHostedZone(head.cdn.zone_name, `kubecdn-rehearse-${path.basename(work)}`);
  const zone = { zoneId: options.zoneId ?? made.zoneId ?? '' };
  const synced = await runDns(cwd, { dir: options.dir, targets: targetsDir, dryRun: false, ...zone });
  const zoneId = synced.zoneId;
  const again = await runDns(cwd, { dir: options.dir, targets: targetsDir, dryRun: true, ...zone });
  check('dns', again.plan.batches.length === 0, `a second sync still wants ${again.plan.batches.flat().length} changes`);
  const byRegion = await recordsByRegion(zoneId, head.cdn.hostnames);
  for (const region of serving)
    check('dns', byRegion.get(region.region) === head.cdn.hostnames.length, `${region.region} does not answer for every hostname`);
  log(
    `✓ dns: ${synced.applied?.changes ?? 0} changes in ${synced.applied?.batches ?? 0} batch${synced.applied?.batches === 1 ? '' : 'es'} to zone ${zoneId}; every serving region answers for ${head.cdn.hostnames.join(', ')}; a second sync has nothing to do`,
  );

  // 7. Emergency teardown of one region, on a copy of the region files (they get edited).
  const victim = options.teardown ?? serving.find((r) => r.tier === 'scalable')?.region;
  if (!victim) {
    log('- teardown: no serving scalable region to tear down; skipped');
    return;
  }
  const regionsCopy = path.join(work, 'regions');
  await cp(path.resolve(cwd, options.dir), regionsCopy, { recursive: true });
  const report = await runTeardown(cwd, {
    dir: regionsCopy,
    region: victim,
    confirm: victim,
    reason: 'rehearsal',
    actor: 'rehearse',
    stack,
    out: path.join(work, 'teardown'),
    settleSeconds: 0,
    ...zone,
    log: (line) => log(`  ${line}`),
  });
  check('teardown', report.ok, report.steps.at(-1)?.detail ?? 'stopped');
  const left = await recordsByRegion(zoneId, head.cdn.hostnames);
  check('teardown', !left.has(victim), `${victim} still has records after the drain`);
  for (const region of serving.filter((r) => r.region !== victim))
    check('teardown', left.get(region.region) === head.cdn.hostnames.length, `the drain of ${victim} touched ${region.region}`);
  const victimEntry = head.regions.find((r) => r.region === victim);
  if (!victimEntry) throw new RehearsalFailed('teardown', `${victim} is not in the region files`);
  const gone = await planRegion({
    stack,
    out: path.join(work, 'replans'),
    config: head,
    region: victimEntry,
    operation: 'destroy',
    reason: 'after teardown',
  });
  check('teardown', gone.status === 'no-changes', `${victim} still has resources: a destroy plan finds ${gone.status}`);
  log(
    `✓ teardown ${victim}: drained, destroyed (${report.destroyed.length} resources), disabled in ${displayPath(regionsCopy, cwd)}; the others still serve`,
  );
}

/** The edge Service as EKS Auto Mode leaves it: with its NLB's name. */
function withLoadBalancer(service: object, ownerId: string, region: string): object {
  const id = createHash('sha256').update(`${ownerId}/${region}`).digest('hex');
  const hostname = `k8s-kubecdn-edge-${id.slice(0, 10)}-${id.slice(10, 26)}.elb.${region}.amazonaws.com`;
  return { ...service, status: { loadBalancer: { ingress: [{ hostname }] } } };
}

/** How many hostnames each region answers for, read from the zone. */
async function recordsByRegion(zoneId: string, hostnames: readonly string[]): Promise<Map<string, number>> {
  const wanted = new Set(hostnames.map((h) => `${h.toLowerCase()}.`));
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  for (const record of await route53().listRecordSets(zoneId)) {
    if (record.type !== 'A' || !record.region || !wanted.has(record.name) || seen.has(recordKey(record))) continue;
    seen.add(recordKey(record));
    counts.set(record.region, (counts.get(record.region) ?? 0) + 1);
  }
  return counts;
}

/** A new public hosted zone; its id. Only the rehearsal makes zones, and only on a local endpoint. */
export async function createHostedZone(name: string, callerReference: string): Promise<string> {
  const client = new Route53Client({ region: 'us-east-1' });
  const out = await client.send(new CreateHostedZoneCommand({ Name: name, CallerReference: callerReference }));
  const id = out.HostedZone?.Id?.split('/').pop();
  if (!id) throw new Error(`Route53 made no zone for ${name}`);
  return id;
}

/** Deletes a zone the rehearsal made: Route53 deletes only an empty zone, so its records go first. */
async function deleteHostedZone(zoneId: string): Promise<void> {
  const client = new Route53Client({ region: 'us-east-1' });
  const listed = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  const records = (listed.ResourceRecordSets ?? []).filter((r) => r.Type !== 'SOA' && r.Type !== 'NS');
  if (records.length > 0) {
    await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: records.map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })) },
      }),
    );
  }
  await client.send(new DeleteHostedZoneCommand({ Id: zoneId }));
}
