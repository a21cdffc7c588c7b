// kubecdn targets, teardown and rehearse: what the apply and teardown workflows run, and the whole
// life of a change rehearsed locally.
import { appendFile, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { targetFromService, TargetError } from '../core/dns/load-balancers.js';
import { UsageError } from '../core/problems.js';
import { rehearse as runRehearsal, RehearsalFailed } from '../node/rehearse.js';
import { runTeardown, teardownMarkdown } from '../node/teardown.js';
import { EXIT } from './commands.js';
import type { Io } from './io.js';

export async function targets(io: Io, options: { region: string; service: string; hostedZoneId?: string }): Promise<number> {
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

export interface TeardownCommandOptions {
  region: string;
  confirm: string;
  reason: string;
  dir: string;
  stack: string;
  out: string;
  backendConfig: string[];
  zoneId?: string;
  settle?: string;
  checkOnly: boolean;
  summary?: string;
  kubeContext?: string;
}

export async function teardown(io: Io, options: TeardownCommandOptions): Promise<number> {
  const settle = options.settle === undefined ? undefined : Number(options.settle);
  if (settle !== undefined && !(Number.isInteger(settle) && settle >= 0)) throw new UsageError('--settle is a whole number of seconds');
  const actor = process.env.GITHUB_ACTOR ?? userInfo().username;
  const report = await runTeardown(io.cwd, {
    dir: options.dir,
    region: options.region,
    confirm: options.confirm,
    reason: options.reason,
    actor,
    stack: options.stack,
    out: options.out,
    backendConfig: options.backendConfig,
    checkOnly: options.checkOnly,
    ...(options.zoneId ? { zoneId: options.zoneId } : {}),
    ...(options.kubeContext ? { kubeContext: options.kubeContext } : {}),
    ...(settle !== undefined ? { settleSeconds: settle } : {}),
    // A failed step is said once, on standard error, where a refusal belongs.
    log: (line) => (line.startsWith('✗') ? io.err(`kubecdn teardown: ${line}`) : io.out(line)),
  });
  if (options.summary) await appendFile(path.resolve(io.cwd, options.summary), teardownMarkdown(report));
  return report.ok ? EXIT.ok : EXIT.finding;
}

export async function rehearse(
  io: Io,
  options: { base: string; dir: string; stack: string; manifests: string; zoneId?: string; teardown?: string; workdir?: string },
): Promise<number> {
  try {
    await runRehearsal(io.cwd, { ...options, log: (line) => io.out(line) });
    io.out('rehearsal passed');
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof RehearsalFailed)) throw error;
    io.err(`kubecdn rehearse: ${error.message}`);
    return EXIT.finding;
  }
}
