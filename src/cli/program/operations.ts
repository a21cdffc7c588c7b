// kubecdn teardown and purge: the emergency operations, each refusing unless its confirmation is typed out.
import type { Command } from '@commander-js/extra-typings';
import { purge } from '../purge.js';
import { teardown } from '../teardown.js';
import { collect, dirOption, type OptionsOf, type Run } from './options.js';

const defineTeardown = (command: Command) =>
  command
    .description(
      'Emergency teardown of a scalable region: check, mark it disabled in the region files, drain its DNS and wait\n' +
        'out the TTL, then terraform destroy. Refuses, changing nothing, unless --confirm repeats the region, and for\n' +
        'the last serving region.',
    )
    .requiredOption('--region <region>', 'the region to tear down')
    .requiredOption('--confirm <region>', 'the region again, typed out')
    .requiredOption('--reason <text>', 'why, for the record')
    .option('--stack <dir>', 'the Terraform stack', 'terraform')
    .option('--out <dir>', 'where the destroy plan goes', '.kubecdn/teardown')
    .option('--backend-config <key=value>', 'more backend settings, such as the state bucket (repeatable)', collect, [])
    .option('--zone-id <id>', 'hosted zone (default: zone_id in cdn.yaml)')
    .option('--settle <seconds>', "how long to wait after the drain (default: the records' TTL in cdn.yaml)")
    .option('--kube-context <context>', "the region's cluster: its edge is deleted first, so that its load balancer goes too")
    .option('--check-only', 'make the checks and stop: nothing is changed', false)
    .option('--summary <file>', 'append the record of the teardown, in Markdown (the job summary)')
    .addOption(dirOption());

const definePurge = (command: Command) =>
  command
    .description(
      "Take URLs, or everything, out of the cache of every edge pod in every serving region, through each pod's " +
        'loopback-only purge listener (kubectl port-forward). Exit 1 unless every running pod confirmed.',
    )
    .argument('[urls...]', 'the URLs to purge, whole: https://cdn.example.com/app.js')
    .option('--everything', 'purge everything (with --hostname, everything of that hostname)', false)
    .option('--hostname <name>', 'with --everything: only this hostname')
    .option('--confirm <what>', 'with --everything: "everything", or the hostname, typed out')
    .requiredOption('--reason <text>', 'why, for the record')
    .option('--region <region>', 'only this serving region (repeatable; default: every serving region)', collect)
    .option('--kube-context-prefix <prefix>', "each region's kubectl context is this prefix and the region", 'kubecdn-')
    .option('--check-only', 'check what would be purged and stop: nothing is purged', false)
    .option('--summary <file>', 'append the record of the purge, in Markdown (the job summary)')
    .addOption(dirOption());

export type TeardownOptions = OptionsOf<typeof defineTeardown>;
export type PurgeOptions = OptionsOf<typeof definePurge>;

export function operationCommands(cli: Command, run: Run): void {
  defineTeardown(cli.command('teardown')).action(run(teardown));
  // The URLs are an argument: the action gets them before the options.
  definePurge(cli.command('purge')).action((urls, options, invoked) =>
    run((io, parsed: PurgeOptions) => purge(io, urls, parsed))(options, invoked),
  );
}
