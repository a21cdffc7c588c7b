// What the command groups share: how a command's work is run, and the options several commands take.
import { Option, type Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { Io } from '../io.js';

/** A command's work: its exit code, from the options commander parsed. */
export type Handler<T> = (io: Io, options: T) => Promise<number>;

/** Makes a handler a commander action: run at the repository root, its exit code passed on. */
export type Run = <T extends object>(handler: Handler<T>) => (options: T, invoked: CommandUnknownOpts) => Promise<void>;

/**
 * The options a command's definition gives its action, as commander parses them: the handlers take
 * this type, so that an option and the field a handler reads cannot drift apart.
 */
export type OptionsOf<Define extends (command: Command) => CommandUnknownOpts> = ReturnType<ReturnType<Define>['opts']>;

export const dirOption = () => new Option('--dir <dir>', 'directory holding always-on.yaml, scalable.yaml and cdn.yaml').default('regions');

/** A `--format` whose first choice is the default. */
export const formatOption = <const C extends readonly [string, ...string[]]>(choices: C, description = 'output') =>
  new Option('--format <format>', description).choices(choices).default<C[0]>(choices[0]);

/** A repeatable option's values, in the order given. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];
