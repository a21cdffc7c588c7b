// sync-dns: the after-merge door onto the DNS core. Reads inputs once, calls the core, reports.
import * as core from '@actions/core';
import { appliedLine, dnsPlanToMarkdown } from '../../src/core/dns/render.js';
import { DnsRefusedError, isRefused, type Logger } from '../../src/core/dns/sync.js';
import { isEmpty } from '../../src/core/dns/plan.js';
import { errorMessage, RegionConfigError } from '../../src/core/problems.js';
import { problemsToAnnotations } from '../../src/core/render.js';
import { runDns } from '../../src/node/dns.js';

export interface Inputs {
  readonly targets: string;
  readonly directory: string;
  readonly zoneId: string;
  readonly hostnames: string[];
  readonly exclude: string[];
  readonly force: boolean;
  readonly adopt: boolean;
  readonly dryRun: boolean;
}

export function getInputs(): Inputs {
  return {
    targets: core.getInput('targets', { required: true }),
    directory: core.getInput('directory') || 'regions',
    zoneId: core.getInput('zone-id'),
    hostnames: core.getMultilineInput('hostnames'),
    exclude: core.getMultilineInput('exclude'),
    force: core.getBooleanInput('force'),
    adopt: core.getInput('adopt') ? core.getBooleanInput('adopt') : false,
    dryRun: core.getBooleanInput('dry-run'),
  };
}

/** Progress in the job log: a collapsible group per batch, saying what it waits for. */
const log: Logger = {
  info: (line) => core.info(line),
  group: (title, work) => core.group(title, work),
};

export async function run(): Promise<void> {
  try {
    const inputs = getInputs();
    const root = process.env['GITHUB_WORKSPACE'] ?? process.cwd();
    const result = await runDns(root, {
      dir: inputs.directory,
      targets: inputs.targets,
      dryRun: inputs.dryRun,
      force: inputs.force,
      adopt: inputs.adopt,
      log,
      ...(inputs.zoneId ? { zoneId: inputs.zoneId } : {}),
      ...(inputs.hostnames.length ? { hostname: inputs.hostnames } : {}),
      ...(inputs.exclude.length ? { exclude: inputs.exclude } : {}),
    });
    const markdown = dnsPlanToMarkdown(result.plan);
    core.setOutput('plan-markdown', markdown);
    core.setOutput('changed', String(!isEmpty(result.plan)));
    const applied = result.applied ? `\n\nApplied ${appliedLine(result.applied)}.` : '';
    await core.summary
      .addRaw(`## kubeCDN DNS${inputs.dryRun ? ' (dry run)' : ''} for zone \`${result.zoneId}\`\n\n${markdown}${applied}\n`, true)
      .write();
    const refused = isRefused(result.plan, inputs.force);
    if (inputs.dryRun && refused)
      for (const reason of [...result.plan.refusals, ...(inputs.force ? [] : result.plan.guards)])
        core.warning(`sync-dns would refuse: ${reason}`);
    for (const conflict of result.plan.conflicts) core.warning(`sync-dns left as it is: ${conflict}`);
    // Conflicts do not stop the rest of the sync, but the zone is not what the files ask for.
    if (!inputs.dryRun && result.plan.conflicts.length)
      core.setFailed(
        `sync-dns failed: ${result.plan.conflicts.length} conflict${result.plan.conflicts.length === 1 ? '' : 's'} left as ${result.plan.conflicts.length === 1 ? 'it is' : 'they are'}, the rest applied`,
      );
  } catch (error) {
    if (error instanceof RegionConfigError) for (const a of problemsToAnnotations(error.problems)) core[a.level](a.message, a.properties);
    if (error instanceof DnsRefusedError) await core.summary.addRaw(`## kubeCDN DNS refused\n\n${error.message}\n`, true).write();
    core.setFailed(`sync-dns failed: ${errorMessage(error)}`);
  }
}
