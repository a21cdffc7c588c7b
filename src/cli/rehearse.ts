// kubecdn rehearse: the whole life of the working tree's change, run locally as the workflows would.
import { rehearse as runRehearsal, RehearsalFailed } from '../node/rehearse.js';
import { EXIT, type Io } from './io.js';
import type { RehearseOptions } from './program/plans.js';

export async function rehearse(io: Io, options: RehearseOptions): Promise<number> {
  try {
    await runRehearsal(io.cwd, { ...options, log: (line) => io.out(line) });
    io.out('rehearsal passed');
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof RehearsalFailed)) throw error;
    io.err(`kubecdn rehearse: ${error.message}`);
    return EXIT.finding;
  }
}
