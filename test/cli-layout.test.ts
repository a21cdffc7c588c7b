// The README's Repository layout row for src/cli, held against the files and the commands there are:
// a file not named in the row is named after a command, and every command's work is in the file
// named after it or in a file the row names for it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { program } from '../src/cli/program.js';
import { plain } from '../src/core/render.js';
import { ROOT } from './run.js';

const row =
  readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    .split('\n')
    .find((line) => line.startsWith('| `src/cli/` |')) ?? '';
const io = { cwd: ROOT, out: () => undefined, err: () => undefined, outStyle: plain, errStyle: plain };
const commands = program(io, () => undefined).commands.flatMap((c) =>
  c.commands.length ? c.commands.map((s) => `${c.name()} ${s.name()}`) : [c.name()],
);
const subject = (command: string) => command.split(' ')[0] ?? command;

describe("the README's layout of src/cli", () => {
  it('names every file that is not named after a command', () => {
    expect(row).not.toBe('');
    const files = readdirSync(path.join(ROOT, 'src/cli')).filter((f) => f.endsWith('.ts'));
    const unexplained = files.filter((f) => !row.includes(`\`${f}\``) && !commands.some((c) => `${subject(c)}.ts` === f));
    expect(unexplained).toEqual([]);
  });

  it("puts each command's work in the file named after it, or names the file that holds it", () => {
    expect(commands.length).toBeGreaterThan(20);
    const unplaced = commands.filter((c) => !existsSync(path.join(ROOT, 'src/cli', `${subject(c)}.ts`)) && !row.includes(`\`${c}\``));
    expect(unplaced).toEqual([]);
  });
});
