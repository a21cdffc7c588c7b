// kubecdn validate, regions and matrix: the region files checked, listed, and what a change touches.
import type { Command } from '@commander-js/extra-typings';
import { matrix, regions, validate } from '../regions.js';
import { dirOption, formatOption, type OptionsOf, type Run } from './options.js';

const defineValidate = (command: Command) =>
  command
    .description('Check the region files against the schema and the cross-file rules.\nExit 0 when valid, 1 when not.')
    .addOption(dirOption())
    .addOption(formatOption(['text', 'json', 'github'], 'how to print problems'));

const defineRegions = (command: Command) =>
  command
    .description('List the effective regions: where each is defined, and whether it serves.')
    .addOption(dirOption())
    .option('--json', 'print JSON', false)
    .option('--all', 'list every AWS region kubeCDN can serve from', false);

const defineMatrix = (command: Command) =>
  command
    .description(
      'Print the GitHub matrix of regions a change touches: one Terraform job each.\nCompares the region files at the merge base of --base with --head (default: the working tree).',
    )
    .requiredOption('--base <ref>', 'the branch or commit the change would merge into, for example main')
    .option('--head <ref>', 'a commit to compare instead of the working tree')
    .addOption(dirOption());

export type ValidateOptions = OptionsOf<typeof defineValidate>;
export type RegionsOptions = OptionsOf<typeof defineRegions>;
export type MatrixOptions = OptionsOf<typeof defineMatrix>;

export function regionFileCommands(cli: Command, run: Run): void {
  defineValidate(cli.command('validate')).action(run(validate));
  defineRegions(cli.command('regions')).action(run(regions));
  defineMatrix(cli.command('matrix')).action(run(matrix));
}
