// kubecdn dns plan and dns apply: the Route53 latency records reconciled with the region files.
import type { Command } from '@commander-js/extra-typings';
import { dns } from '../dns.js';
import { collect, dirOption, formatOption, type OptionsOf, type Run } from './options.js';

const defineDns = (command: Command) =>
  command
    .requiredOption(
      '--targets <file|dir>',
      'JSON of region -> { "dnsName", "hostedZoneId" } of each edge load balancer; a folder of such files is merged',
    )
    .option('--zone-id <id>', 'hosted zone (default: zone_id in cdn.yaml)')
    .option('--hostname <name>', 'hostname to serve (repeatable; default: hostnames in cdn.yaml)', collect)
    .option('--exclude <region>', 'drain a region: it keeps running but gets no DNS (repeatable)', collect)
    .option('--force', 'allow deleting more than 30% of our records, or leaving a hostname with no region', false)
    .option('--adopt', "take as kubeCDN's the records at its own places whose ownership record was deleted", false)
    .addOption(formatOption(['text', 'json', 'markdown']))
    .addOption(dirOption());

export type DnsOptions = OptionsOf<typeof defineDns>;

export function dnsCommands(cli: Command, run: Run): void {
  const dnsCommand = cli
    .command('dns')
    .description('Reconcile the Route53 latency records with the region files (what sync-dns does after merge).');
  defineDns(dnsCommand.command('plan'))
    .description('Show what sync-dns would change in the hosted zone. Exit 1 when it would refuse.')
    .action(run((io, options: DnsOptions) => dns(io, { ...options, apply: false })));
  defineDns(dnsCommand.command('apply'))
    .description(
      'Apply the DNS plan: health checks, then record batches (deletes first), then clean-up; waits for INSYNC.\nRefuses, changing nothing, on a conflict, or without --force when too much would go.',
    )
    .action(run((io, options: DnsOptions) => dns(io, { ...options, apply: true })));
}
