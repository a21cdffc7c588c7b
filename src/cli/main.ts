// kubecdn: run and preview locally what the workflows do.
import { CommanderError } from '@commander-js/extra-typings';
import { errorMessage, RegionConfigError, UsageError } from '../core/problems.js';
import { problemsToText } from '../core/render.js';
import { EXIT, processIo, type Io } from './io.js';
import { program } from './program.js';

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const cli = program(io, (c) => {
    code = c;
  });
  if (argv.length === 0) {
    io.err(cli.helpInformation().trimEnd());
    return EXIT.usage;
  }
  try {
    await cli.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof RegionConfigError) {
      io.err(problemsToText(error.problems, io.errStyle));
      return EXIT.finding;
    }
    if (error instanceof UsageError) {
      io.err(`kubecdn: ${error.message}`);
      return EXIT.usage;
    }
    io.err(`kubecdn failed: ${errorMessage(error)}`);
    return EXIT.finding;
  }
}
