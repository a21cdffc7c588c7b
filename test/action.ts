// Starts a committed action bundle the way the runner does: INPUT_* variables, the event payload
// in GITHUB_EVENT_PATH, and the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './run.js';

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** The workflow commands it printed (annotations, failures), in order. */
  commands: string[];
}

export async function runAction(
  name: string,
  options: { workspace: string; inputs: Record<string, string>; event?: object; env?: NodeJS.ProcessEnv },
): Promise<ActionRun> {
  const temp = mkdtempSync(path.join(tmpdir(), 'runner-'));
  const files = { output: path.join(temp, 'output'), summary: path.join(temp, 'summary'), event: path.join(temp, 'event.json') };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  writeFileSync(files.event, JSON.stringify(options.event ?? {}));
  const inputs = Object.fromEntries(Object.entries(options.inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]));
  // Asynchronous, so that a stand-in server in the test process can answer the action.
  const child = spawn(process.execPath, [path.join(ROOT, 'actions', name, 'dist/index.js')], {
    cwd: options.workspace,
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_EVENT_PATH: files.event,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REPOSITORY: 'acme/cdn',
      GITHUB_RUN_ID: '42',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_SHA: 'f'.repeat(40),
      RUNNER_TEMP: temp,
      ...inputs,
      ...options.env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(files.output, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    commands: stdout.split('\n').filter((l) => l.startsWith('::')),
  };
}

/** GITHUB_OUTPUT holds `name<<DELIMITER`, the value, and the delimiter again. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) outputs[match[1] ?? ''] = match[3] ?? '';
  return outputs;
}
