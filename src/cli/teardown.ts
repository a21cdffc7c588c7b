// kubecdn teardown: the emergency teardown of a scalable region, as the teardown workflow runs it.
import { appendFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { UsageError } from '../core/problems.js';
import { runTeardown, teardownMarkdown } from '../node/teardown.js';
import { EXIT, type Io } from './io.js';
import type { TeardownOptions } from './program/operations.js';

export async function teardown(io: Io, options: TeardownOptions): Promise<number> {
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
