// kubecdn dns plan and dns apply: the Route53 latency records reconciled with the region files.
import { appliedLine, dnsPlanToJson, dnsPlanToMarkdown, dnsPlanToText } from '../core/dns/render.js';
import { DnsRefusedError, isRefused, type Logger } from '../core/dns/sync.js';
import { runDns } from '../node/dns.js';
import { EXIT, type Io } from './io.js';
import type { DnsOptions } from './program/dns.js';

/** dns plan and dns apply: exit 0 done (or nothing to do), 1 refused or failed. */
export async function dns(io: Io, options: DnsOptions & { apply: boolean }): Promise<number> {
  try {
    // Progress goes to standard error, so that standard output stays the plan (or its JSON).
    const log: Logger = {
      info: (line) => io.err(`  ${line}`),
      group: async (title, work) => {
        io.err(title);
        return work();
      },
    };
    const run = await runDns(io.cwd, { ...options, dryRun: !options.apply, log });
    const refused = isRefused(run.plan, options.force);
    if (options.format === 'json')
      io.out(JSON.stringify({ zoneId: run.zoneId, ...dnsPlanToJson(run.plan), applied: run.applied ?? null }, null, 2));
    else if (options.format === 'markdown') io.out(dnsPlanToMarkdown(run.plan));
    else {
      io.out(dnsPlanToText(run.plan, io.outStyle));
      if (run.applied) io.out(`applied: ${appliedLine(run.applied)}`);
    }
    if (!refused && run.plan.conflicts.length)
      io.err(
        `kubecdn dns: ${run.plan.conflicts.length} conflict${run.plan.conflicts.length === 1 ? '' : 's'} left as ${run.plan.conflicts.length === 1 ? 'it is' : 'they are'}${options.apply ? ', the rest applied' : ''}: ${run.plan.conflicts.join('; ')}`,
      );
    return refused || run.plan.conflicts.length ? EXIT.finding : EXIT.ok;
  } catch (error) {
    if (!(error instanceof DnsRefusedError)) throw error;
    io.err(`kubecdn dns: ${error.message}`);
    return EXIT.finding;
  }
}
