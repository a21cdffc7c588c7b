// The kubecdn command line as commander reads it. Each command group declares its commands, options
// and help in program/<group>.ts; each command's work is in the src/cli file named after its subject,
// except manifests and targets (edge.ts) and prices refresh (cost.ts).
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { Io } from './io.js';
import { atRepositoryRoot } from './paths.js';
import { dnsCommands } from './program/dns.js';
import { edgeCommands } from './program/edge.js';
import { operationCommands } from './program/operations.js';
import type { Run } from './program/options.js';
import { planCommands } from './program/plans.js';
import { regionFileCommands } from './program/regions.js';
import { scalingCommands } from './program/scaling.js';

export function program(io: Io, exit: (code: number) => void): Command {
  const run: Run = (handler) => async (options, invoked) => {
    const at = await atRepositoryRoot(io, options, invoked);
    exit(await handler(at.io, at.options));
  };
  const cli = new Command('kubecdn').description('A self-hosted CDN run by GitOps: check, plan and preview region changes.');
  regionFileCommands(cli, run);
  planCommands(cli, run);
  dnsCommands(cli, run);
  edgeCommands(cli, run);
  scalingCommands(cli, run);
  operationCommands(cli, run);
  // Help and usage errors go through io, and end in an exit code rather than process.exit.
  const speak = (command: CommandUnknownOpts) => {
    command
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
      .showHelpAfterError('(run with --help for usage)');
    command.commands.forEach(speak);
  };
  speak(cli);
  return cli;
}
