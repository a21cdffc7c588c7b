// What a command may touch of the outside world, passed in so tests can run commands in-process.
import pc from 'picocolors';
import { plain, type Style } from '../core/render.js';

/** Every command's exit code: 0 success, 1 a finding (invalid files, a refusal, a failure), 2 a usage error. */
export const EXIT = { ok: 0, finding: 1, usage: 2 } as const;

export interface Io {
  readonly cwd: string;
  out(text: string): void;
  err(text: string): void;
  /** Colours for standard output and standard error; plain where that stream is not a terminal. */
  readonly outStyle: Style;
  readonly errStyle: Style;
}

export function styleFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Style {
  // Colour only on a terminal; NO_COLOR always wins and FORCE_COLOR asks for colour anyway.
  const wanted = !('NO_COLOR' in env) && (stream.isTTY || ('FORCE_COLOR' in env && env['FORCE_COLOR'] !== '0'));
  if (!wanted) return plain;
  const c = pc.createColors(true);
  return { red: c.red, yellow: c.yellow, green: c.green, dim: c.dim, bold: c.bold };
}

export function processIo(): Io {
  return {
    cwd: process.cwd(),
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    outStyle: styleFor(process.stdout),
    errStyle: styleFor(process.stderr),
  };
}
