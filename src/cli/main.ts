// kubecdn: run and preview locally what the workflows do.
import { Command, CommanderError, Option } from 'commander';
import { errorMessage, RegionConfigError, UsageError } from '../core/problems.js';
import { problemsToText } from '../core/render.js';
import * as commands from './commands.js';
import * as tf from './tf.js';
import * as ops from './ops.js';
import * as costCommands from './cost.js';
import { autoscale } from './autoscale.js';
import { geo, GEO_FILE } from './geo.js';
import * as purge from './purge.js';
import { processIo, type Io } from './io.js';
import { fromRepositoryRoot } from './paths.js';

const dirOption = () => new Option('--dir <dir>', 'directory holding always-on.yaml, scalable.yaml and cdn.yaml').default('regions');

export function program(io: Io, exit: (code: number) => void): Command {
  const run =
    <T extends object>(command: (io: Io, options: T) => Promise<number>) =>
    async (options: T, invoked: Command) =>
      exit(await command(io, await fromRepositoryRoot(io.cwd, options, invoked)));

  const cli = new Command('kubecdn')
    .description('A self-hosted CDN run by GitOps: check, plan and preview region changes.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();

  cli
    .command('validate')
    .description('Check the region files against the schema and the cross-file rules.\nExit 0 when valid, 1 when not.')
    .addOption(dirOption())
    .addOption(new Option('--format <format>', 'how to print problems').choices(['text', 'json', 'github']).default('text'))
    .action(run(commands.validate));

  cli
    .command('regions')
    .description('List the effective regions: where each is defined, and whether it serves.')
    .addOption(dirOption())
    .option('--json', 'print JSON', false)
    .option('--all', 'list every AWS region kubeCDN can serve from', false)
    .action(run(commands.regions));

  cli
    .command('matrix')
    .description(
      'Print the GitHub matrix of regions a change touches: one Terraform job each.\nCompares the region files at the merge base of --base with --head (default: the working tree).',
    )
    .requiredOption('--base <ref>', 'the branch or commit the change would merge into, for example main')
    .option('--head <ref>', 'a commit to compare instead of the working tree')
    .addOption(dirOption())
    .action(run(commands.matrix));

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const tfCommand = cli.command('tf').description('Run Terraform for regions, each with its own state, as the matrix jobs do.');
  tfCommand
    .command('vars')
    .description("Print a region's Terraform variables, as the runner writes them to terraform.tfvars.json.")
    .requiredOption('--region <region>', 'AWS region code')
    .option('--base <ref>', 'where to find a region removed from the files')
    .addOption(dirOption())
    .action(run(tf.vars));
  tfCommand
    .command('plan')
    .description(
      "Plan regions: write each region's variables, init with its own state key, plan, and summarise.\nA serving region is planned; one that no longer serves gets a destroy plan. Exit 1 if any plan failed.",
    )
    .requiredOption('--region <region>', 'AWS region code (repeatable)', collect)
    .option('--stack <dir>', 'the Terraform stack', 'terraform')
    .option('--out <dir>', 'where plans and summaries go, one folder per region', '.kubecdn/plans')
    .option('--base <ref>', 'where to find a region removed from the files (to plan its destruction)')
    .option('--reason <text>', 'why the region is planned, for the comment (the matrix gives it)')
    .option('--backend-config <key=value>', 'more backend settings, such as the state bucket (repeatable)', collect, [])
    .option(
      '--critical <type-or-address>',
      'resources whose loss cuts traffic (repeatable; default: the EKS cluster and its VPC, subnets, gateways and routes)',
      collect,
    )
    .addOption(dirOption())
    .action(run(tf.plan));
  tfCommand
    .command('apply')
    .description('Apply the plans tf plan saved: exactly what was reviewed.')
    .requiredOption('--region <region>', 'AWS region code (repeatable)', collect)
    .option('--stack <dir>', 'the Terraform stack', 'terraform')
    .option('--out <dir>', 'where tf plan wrote the plans', '.kubecdn/plans')
    .action(run(tf.apply));
  tfCommand
    .command('output')
    .description(
      "Read regions' stack outputs from their state, with no plan, into <out>/<region>/outputs.json (as tf apply does after an apply),\nfor kubecdn manifests in a run that applied nothing to the region.",
    )
    .requiredOption('--region <region>', 'AWS region code (repeatable)', collect)
    .option('--stack <dir>', 'the Terraform stack', 'terraform')
    .option('--out <dir>', 'where the outputs go, one folder per region', '.kubecdn/plans')
    .option('--backend-config <key=value>', 'more backend settings, such as the state bucket (repeatable)', collect, [])
    .addOption(dirOption())
    .action(run(tf.output));

  const dnsCommand = cli
    .command('dns')
    .description('Reconcile the Route53 latency records with the region files (what sync-dns does after merge).');
  for (const apply of [false, true]) {
    dnsCommand
      .command(apply ? 'apply' : 'plan')
      .description(
        apply
          ? 'Apply the DNS plan: health checks, then record batches (deletes first), then clean-up; waits for INSYNC.\nRefuses, changing nothing, on a conflict, or without --force when too much would go.'
          : 'Show what sync-dns would change in the hosted zone. Exit 1 when it would refuse.',
      )
      .requiredOption(
        '--targets <file|dir>',
        'JSON of region -> { "dnsName", "hostedZoneId" } of each edge load balancer; a folder of such files is merged',
      )
      .option('--zone-id <id>', 'hosted zone (default: zone_id in cdn.yaml)')
      .option('--hostname <name>', 'hostname to serve (repeatable; default: hostnames in cdn.yaml)', collect)
      .option('--exclude <region>', 'drain a region: it keeps running but gets no DNS (repeatable)', collect)
      .option('--force', 'allow deleting more than 30% of our records, or leaving a hostname with no region', false)
      .option('--adopt', "take as kubeCDN's the records at its own places whose ownership record was deleted", false)
      .addOption(new Option('--format <format>', 'output').choices(['text', 'json', 'markdown']).default('text'))
      .addOption(dirOption())
      .action(run((io, options: commands.DnsCommandOptions) => commands.dns(io, { ...options, apply })));
  }

  cli
    .command('manifests')
    .description(
      "Render a region's final edge manifests (kustomize) and check every object against the Kubernetes schemas.\nPrints the YAML kubectl would apply; exit 1 if an object breaks its schema.",
    )
    .requiredOption('--region <region>', 'AWS region code')
    .option('--manifests <dir>', 'the manifests folder (base/, components/, regions/<region>/)', 'manifests')
    .option('--certificate-arn <arn>', "the load balancer's certificate; default: the stack's, from the region's last kubecdn tf apply")
    .option(
      '--metrics-workspace-arn <arn>',
      "the Prometheus workspace the region's metrics agent writes demand to; default: the stack's, from its last kubecdn tf apply (none: no agent)",
    )
    .option('--out <dir>', "where kubecdn tf apply wrote the region's outputs", '.kubecdn/plans')
    .addOption(dirOption())
    .action(run(commands.manifests));

  cli
    .command('latency')
    .description(
      "What the change does for users: modelled round trips from the world's cities to their nearest serving region,\nbefore and after, the countries that gain or lose most, and which switched-off region would help most.",
    )
    .option('--base <ref>', 'compare with this branch or commit (default: the default branch)')
    .option('--inflation <factor>', 'path inflation over the great circle in fibre; 1 is the physical lower bound', '1.5')
    .option('--prices <file>', 'a price table kubecdn prices refresh wrote, for the cost of switching on (default: the committed one)')
    .addOption(new Option('--format <format>', 'output').choices(['text', 'json', 'markdown']).default('text'))
    .addOption(dirOption())
    .action(run(commands.latency));

  cli
    .command('cost')
    .description(
      'What the change costs a month: per region and in total, before and after, from the minimum to the maximum nodes,\n' +
        'with every part and what it assumed. Exit 1 when a price is missing (named by region and item).',
    )
    .option('--allow-missing', 'exit 0 when the only problem is a missing price, listing each on stderr')
    .option('--base <ref>', 'compare with this branch or commit (default: the default branch)')
    .option(
      '--traffic <key=value,...>',
      'usage per serving region a month: gb (out), requests, origin (GB), http (share on port 80), and queries for the CDN',
    )
    .option('--prices <file>', 'a price table kubecdn prices refresh wrote (default: the committed one)')
    .addOption(new Option('--format <format>', 'output').choices(['text', 'json', 'markdown']).default('text'))
    .addOption(dirOption())
    .action(run(costCommands.cost));

  const pricesCommand = cli.command('prices').description('The price table the cost figures come from.');
  pricesCommand
    .command('refresh')
    .description('Rebuild the price table from the AWS Price List Query API (needs AWS credentials with pricing:GetProducts).')
    .option('--out <file>', 'where to write the table', 'src/core/cost/prices.json')
    .option('--region <region>', 'only this region (repeatable; default: every region kubeCDN can serve)', collect)
    .option('--instance-type <type>', 'instance types to price (repeatable; default: common ones)', collect)
    .option('--endpoint <url>', 'a Price List endpoint other than AWS’s own')
    .action(run(costCommands.pricesRefresh));

  cli
    .command('comment')
    .description(
      'Render the pull-request comment from the plan summaries tf plan wrote.\nExit 1 if a plan failed or the region files are invalid.',
    )
    .option('--summaries <dir>', 'where tf plan wrote its summaries', '.kubecdn/plans')
    .option('--commit <sha>', 'the commit that was planned')
    .option('--matrix <json>', 'the matrix the plans came from, so that a region with no result shows')
    .option('--full-plans <text>', 'where readers find the whole plans when one is cut')
    .addOption(dirOption())
    .action(run(commands.comment));

  cli
    .command('preview')
    .description('Show what a pull request of the working tree would show, with no cloud credentials.')
    .addOption(dirOption())
    .addOption(
      new Option('--format <format>', 'text for the terminal, markdown for the comment as posted')
        .choices(['text', 'markdown'])
        .default('text'),
    )
    .option('--base <ref>', 'the branch the pull request would merge into (default: the default branch)')
    .option('--terraform', 'also run the Terraform plans (needs credentials for the real stack)', false)
    .option('--stack <dir>', 'the Terraform stack', 'terraform')
    .option('--out <dir>', 'where plans and summaries go', '.kubecdn/plans')
    .action(run(commands.preview));

  cli
    .command('targets')
    .description(
      "Print a region's load-balancer target for sync-dns, from its edge Service once the load balancer exists:\n" +
        '  kubectl get service edge -n kubecdn -o json | kubecdn targets --region R --service -',
    )
    .requiredOption('--region <region>', 'the region the Service runs in (checked against its load balancer)')
    .requiredOption('--service <file>', 'the Service as JSON, or - for standard input')
    .option('--hosted-zone-id <id>', "the load balancer's canonical hosted zone, for a region kubeCDN has no table entry for")
    .action(run(ops.targets));

  cli
    .command('teardown')
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
    .addOption(dirOption())
    .action(run(ops.teardown));

  cli
    .command('purge')
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
    .addOption(dirOption())
    .action(async (urls: string[], options: purge.PurgeCommandOptions) => exit(await purge.purge(io, urls, options)));

  cli
    .command('rehearse')
    .description(
      "Run the whole life of the working tree's change locally, as the workflows would: matrix, plans, comment,\n" +
        'applies, edge manifests and targets, DNS sync, then the teardown of one region; checking the state after each.\n' +
        'DNS goes to AWS_ENDPOINT_URL_ROUTE_53, which must be local (a moto_server).',
    )
    .requiredOption('--base <ref>', 'the branch the change would merge into')
    .option('--stack <dir>', 'the Terraform stack to rehearse with', 'terraform')
    .option('--manifests <dir>', 'the manifests folder', 'manifests')
    .option('--zone-id <id>', 'hosted zone on the local endpoint (default: a new one, named as cdn.yaml says)')
    .option('--teardown <region>', 'the region to tear down at the end (default: the first serving scalable region)')
    .option('--workdir <dir>', 'where plans, state and the comment go (default: a new temporary folder)')
    .addOption(dirOption())
    .action(run(ops.rehearse));

  cli
    .command('geo')
    .description(
      "Write the nginx geo map that labels each request with the region nearest its client's address, among every\n" +
        'region of the region files, coarsened to fit a ConfigMap. --check exits 1 when the committed map is stale.',
    )
    .option('--out <file>', 'where the map goes', GEO_FILE)
    .option('--check', 'compare with the file instead of writing it', false)
    .option('--budget <bytes>', 'largest map, in bytes (a ConfigMap holds at most 1 MiB)')
    .addOption(dirOption())
    .action(run(geo));

  cli
    .command('autoscale')
    .description(
      'Which scalable regions to switch on or off now, from the demand of the users nearest each region (Prometheus)\n' +
        'and the thresholds in scalable.yaml. Prints one decision per region with its evidence; --write sets the\n' +
        "regions' enabled values in scalable.yaml. Amazon Managed Service for Prometheus URLs are signed (SigV4).",
    )
    .requiredOption('--prometheus <url>', 'Prometheus, or a workspace URL https://aps-workspaces.REGION.amazonaws.com/workspaces/ID')
    .option('--at <time>', 'evaluation time, RFC 3339 (default: now)')
    .option('--cooldown <duration>', "how long after a region's enabled last changed it is left alone: 90m, 6h, 2d (default: cdn.yaml)")
    .option('--max-changes <n>', 'most regions switched in one run (default: cdn.yaml)')
    .addOption(dirOption())
    .addOption(new Option('--format <format>', 'output').choices(['text', 'json', 'markdown']).default('text'))
    .option('--write', 'set the enabled values in scalable.yaml', false)
    .option('--markdown <file>', "also write the report as Markdown (the pull request's body) to a file, from the same run")
    .action(run(autoscale));

  for (const sub of [...cli.commands, ...tfCommand.commands, ...dnsCommand.commands, ...pricesCommand.commands])
    sub.exitOverride().configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  return cli;
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code: number = commands.EXIT.ok;
  const cli = program(io, (c) => {
    code = c;
  });
  if (argv.length === 0) {
    io.err(cli.helpInformation().trimEnd());
    return commands.EXIT.usage;
  }
  try {
    await cli.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? commands.EXIT.ok : commands.EXIT.usage;
    }
    if (error instanceof RegionConfigError) {
      io.err(problemsToText(error.problems, io.errStyle));
      return commands.EXIT.finding;
    }
    if (error instanceof UsageError) {
      io.err(`kubecdn: ${error.message}`);
      return commands.EXIT.usage;
    }
    io.err(`kubecdn failed: ${errorMessage(error)}`);
    return commands.EXIT.finding;
  }
}
