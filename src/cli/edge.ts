// kubecdn manifests, prune and targets: what a region's edge runs, what it no longer runs, and where
// its load balancer answers.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { deleteArgument, parseLive, parseRendered, pruneTargets } from '../core/edge/prune.js';
import { targetFromService, TargetError } from '../core/dns/load-balancers.js';
import { problemsToText } from '../core/render.js';
import { UsageError } from '../core/problems.js';
import { EDGE_NAMESPACE, renderManifests } from '../node/manifests.js';
import { loadRegionDir } from '../node/region-dir.js';
import { stackOutputs } from '../node/terraform.js';
import { EXIT, type Io } from './io.js';
import type { ManifestsOptions, PruneOptions, TargetsOptions } from './program/edge.js';

export async function manifests(io: Io, options: ManifestsOptions): Promise<number> {
  const loaded = await loadRegionDir(path.resolve(io.cwd, options.dir), io.cwd);
  if (!loaded.config) {
    io.err(problemsToText(loaded.problems, io.errStyle));
    return EXIT.finding;
  }
  const region = loaded.config.regions.find((r) => r.region === options.region);
  if (!region) throw new UsageError(`region ${options.region} is not in the region files`);
  // The certificate the region's stack made, as its last apply wrote it, unless one is given.
  const applied = await stackOutputs(path.resolve(io.cwd, options.out), region.region);
  const certificateArn =
    options.certificateArn ?? (typeof applied?.['certificate_arn'] === 'string' ? applied['certificate_arn'] : undefined);
  // The demand workspace likewise: with one, the region also runs the metrics agent.
  const metricsWorkspaceArn =
    options.metricsWorkspaceArn ?? (typeof applied?.['metrics_workspace_arn'] === 'string' ? applied['metrics_workspace_arn'] : undefined);
  const rendered = await renderManifests(path.resolve(io.cwd, options.manifests), loaded.config, region, {
    ...(certificateArn ? { certificateArn } : {}),
    ...(metricsWorkspaceArn ? { metricsWorkspaceArn } : {}),
  });
  for (const problem of rendered.problems) io.err(`kubecdn manifests: ${problem}`);
  if (rendered.problems.length) return EXIT.finding;
  io.out(rendered.yaml);
  return EXIT.ok;
}

export async function prune(io: Io, options: PruneOptions): Promise<number> {
  if (options.rendered === '-' && options.live === '-') throw new UsageError('--rendered and --live cannot both be standard input');
  const read = (file: string) => (file === '-' ? readStdin() : readFile(path.resolve(io.cwd, file), 'utf8'));
  const rendered = parseRendered(await read(options.rendered), options.rendered);
  const live = parseLive(await read(options.live), options.live);
  const targets = pruneTargets(rendered, live, EDGE_NAMESPACE);
  io.err(`kubecdn prune: ${targets.length} of ${live.length} live objects no longer rendered`);
  if (targets.length) io.out(targets.map(deleteArgument).join('\n'));
  return EXIT.ok;
}

export async function targets(io: Io, options: TargetsOptions): Promise<number> {
  const text = options.service === '-' ? await readStdin() : await readFile(path.resolve(io.cwd, options.service), 'utf8');
  let service: unknown;
  try {
    service = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${options.service} is not JSON (kubectl get service edge -n kubecdn -o json): ${(error as Error).message}`);
  }
  try {
    io.out(JSON.stringify({ [options.region]: targetFromService(service, options.region, options.hostedZoneId) }, null, 2));
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    io.err(`kubecdn targets: ${error.message}`);
    return EXIT.finding;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
