// kubecdn tf, comment, preview and rehearse: the Terraform plans of a change, the comment that shows
// them, the local preview of that comment, and the whole life of a change rehearsed.
import type { Command } from '@commander-js/extra-typings';
import { comment } from '../comment.js';
import { preview } from '../preview.js';
import { rehearse } from '../rehearse.js';
import * as tf from '../tf.js';
import { collect, dirOption, formatOption, type OptionsOf, type Run } from './options.js';

const BACKEND_CONFIG = ['--backend-config <key=value>', 'more backend settings, such as the state bucket (repeatable)'] as const;

const defineTfVars = (command: Command) =>
  command
    .description("Print a region's Terraform variables, as the runner writes them to terraform.tfvars.json.")
    .requiredOption('--region <region>', 'AWS region code')
    .option('--base <ref>', 'where to find a region removed from the files')
    .addOption(dirOption());

const defineTfPlan = (command: Command) =>
  command
    .description(
      "Plan regions: write each region's variables, init with its own state key, plan, and summarise.\nA serving region is planned; one that no longer serves gets a destroy plan. Exit 1 if any plan failed.",
    )
    .requiredOption('--region <region>', 'AWS region code (repeatable)', collect)
    .option('--stack <dir>', 'the Terraform stack', 'terraform')
    .option('--out <dir>', 'where plans and summaries go, one folder per region', '.kubecdn/plans')
    .option('--base <ref>', 'where to find a region removed from the files (to plan its destruction)')
    .option('--reason <text>', 'why the region is planned, for the comment (the matrix gives it)')
    .option(...BACKEND_CONFIG, collect, [])
    .option(
      '--critical <type-or-address>',
      'resources whose loss cuts traffic (repeatable; default: the EKS cluster and its VPC, subnets, gateways and routes)',
      collect,
    )
    .addOption(dirOption());

const defineTfApply = (command: Command) =>
  command
    .description('Apply the plans tf plan saved: exactly what was reviewed.')
    .requiredOption('--region <region>', 'AWS region code (repeatable)', collect)
    .option('--stack <dir>', 'the Terraform stack', 'terraform')
    .option('--out <dir>', 'where tf plan wrote the plans', '.kubecdn/plans');

const defineTfOutput = (command: Command) =>
  command
    .description(
      "Read regions' stack outputs from their state, with no plan, into <out>/<region>/outputs.json (as tf apply does after an apply),\nfor kubecdn manifests in a run that applied nothing to the region.",
    )
    .requiredOption('--region <region>', 'AWS region code (repeatable)', collect)
    .option('--stack <dir>', 'the Terraform stack', 'terraform')
    .option('--out <dir>', 'where the outputs go, one folder per region', '.kubecdn/plans')
    .option(...BACKEND_CONFIG, collect, [])
    .addOption(dirOption());

const defineComment = (command: Command) =>
  command
    .description(
      'Render the pull-request comment from the plan summaries tf plan wrote.\nExit 1 if a plan failed or the region files are invalid.',
    )
    .option('--summaries <dir>', 'where tf plan wrote its summaries', '.kubecdn/plans')
    .option('--commit <sha>', 'the commit that was planned')
    .option('--matrix <json>', 'the matrix the plans came from, so that a region with no result shows')
    .option('--full-plans <text>', 'where readers find the whole plans when one is cut')
    .addOption(dirOption());

const definePreview = (command: Command) =>
  command
    .description('Show what a pull request of the working tree would show, with no cloud credentials.')
    .addOption(dirOption())
    .addOption(formatOption(['text', 'markdown'], 'text for the terminal, markdown for the comment as posted'))
    .option('--base <ref>', 'the branch the pull request would merge into (default: the default branch)')
    .option('--terraform', 'also run the Terraform plans (needs credentials for the real stack)', false)
    .option('--stack <dir>', 'the Terraform stack', 'terraform')
    .option('--out <dir>', 'where plans and summaries go', '.kubecdn/plans');

const defineRehearse = (command: Command) =>
  command
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
    .addOption(dirOption());

export type TfVarsOptions = OptionsOf<typeof defineTfVars>;
export type TfPlanOptions = OptionsOf<typeof defineTfPlan>;
export type TfApplyOptions = OptionsOf<typeof defineTfApply>;
export type TfOutputOptions = OptionsOf<typeof defineTfOutput>;
export type CommentOptions = OptionsOf<typeof defineComment>;
export type PreviewOptions = OptionsOf<typeof definePreview>;
export type RehearseOptions = OptionsOf<typeof defineRehearse>;

export function planCommands(cli: Command, run: Run): void {
  const tfCommand = cli.command('tf').description('Run Terraform for regions, each with its own state, as the matrix jobs do.');
  defineTfVars(tfCommand.command('vars')).action(run(tf.vars));
  defineTfPlan(tfCommand.command('plan')).action(run(tf.plan));
  defineTfApply(tfCommand.command('apply')).action(run(tf.apply));
  defineTfOutput(tfCommand.command('output')).action(run(tf.output));
  defineComment(cli.command('comment')).action(run(comment));
  definePreview(cli.command('preview')).action(run(preview));
  defineRehearse(cli.command('rehearse')).action(run(rehearse));
}
