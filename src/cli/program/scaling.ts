// kubecdn autoscale, latency, cost and prices: which regions to run, and what a change does for users
// and costs a month.
import type { Command } from '@commander-js/extra-typings';
import { autoscale } from '../autoscale.js';
import { cost, pricesRefresh } from '../cost.js';
import { latency } from '../latency.js';
import { collect, dirOption, formatOption, type OptionsOf, type Run } from './options.js';

const defineAutoscale = (command: Command) =>
  command
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
    .addOption(formatOption(['text', 'json', 'markdown']))
    .option('--write', 'set the enabled values in scalable.yaml', false)
    .option('--markdown <file>', "also write the report as Markdown (the pull request's body) to a file, from the same run");

const defineLatency = (command: Command) =>
  command
    .description(
      "What the change does for users: modelled round trips from the world's cities to their nearest serving region,\nbefore and after, the countries that gain or lose most, and which switched-off region would help most.",
    )
    .option('--base <ref>', 'compare with this branch or commit (default: the default branch)')
    .option('--inflation <factor>', 'path inflation over the great circle in fibre; 1 is the physical lower bound', '1.5')
    .option('--prices <file>', 'a price table kubecdn prices refresh wrote, for the cost of switching on (default: the committed one)')
    .addOption(formatOption(['text', 'json', 'markdown']))
    .addOption(dirOption());

const defineCost = (command: Command) =>
  command
    .description(
      'What the change costs a month: per region and in total, before and after, from the minimum to the maximum nodes,\n' +
        'with every part and what it assumed. Exit 1 when a price is missing (named by region and item).',
    )
    .option('--allow-missing', 'exit 0 when the only problem is a missing price, listing each on stderr')
    .option('--base <ref>', 'compare with this branch or commit (default: the default branch)')
    .option(
      '--traffic <key=value[,key=value]>',
      'usage per serving region a month: gb (out), requests, origin (GB), http (share on port 80), and queries for the CDN',
    )
    .option('--prices <file>', 'a price table kubecdn prices refresh wrote (default: the committed one)')
    .addOption(formatOption(['text', 'json', 'markdown']))
    .addOption(dirOption());

const definePricesRefresh = (command: Command) =>
  command
    .description('Rebuild the price table from the AWS Price List Query API (needs AWS credentials with pricing:GetProducts).')
    .option('--out <file>', 'where to write the table', 'src/core/cost/prices.json')
    .option('--region <region>', 'only this region (repeatable; default: every region kubeCDN can serve)', collect)
    .option('--instance-type <type>', 'instance types to price (repeatable; default: common ones)', collect)
    .option('--endpoint <url>', 'a Price List endpoint other than AWS’s own');

export type AutoscaleOptions = OptionsOf<typeof defineAutoscale>;
export type LatencyOptions = OptionsOf<typeof defineLatency>;
export type CostOptions = OptionsOf<typeof defineCost>;
export type PricesRefreshOptions = OptionsOf<typeof definePricesRefresh>;

export function scalingCommands(cli: Command, run: Run): void {
  defineAutoscale(cli.command('autoscale')).action(run(autoscale));
  defineLatency(cli.command('latency')).action(run(latency));
  defineCost(cli.command('cost')).action(run(cost));
  const prices = cli.command('prices').description('The price table the cost figures come from.');
  definePricesRefresh(prices.command('refresh')).action(run(pricesRefresh));
}
