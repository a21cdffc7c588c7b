import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { region, regionDir, type Files } from './fixtures.js';
import { ROOT } from './run.js';

const BUNDLE = path.join(ROOT, 'actions/plan-regions/dist/index.js');

/** Starts the committed bundle the way the runner does: INPUT_* variables and the GITHUB_* files. */
function runAction(files: Files) {
  const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'));
  renameSync(regionDir(files), path.join(workspace, 'regions'));
  const runnerTemp = mkdtempSync(path.join(tmpdir(), 'runner-'));
  const output = path.join(runnerTemp, 'output');
  const summary = path.join(runnerTemp, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const result = spawnSync(process.execPath, [BUNDLE], {
    cwd: workspace,
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'],
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: runnerTemp,
      INPUT_DIRECTORY: 'regions',
    },
  });
  return { code: result.status, stdout: result.stdout, outputs: parseOutputs(readFileSync(output, 'utf8')), summary: readFileSync(summary, 'utf8') };
}

/** GITHUB_OUTPUT holds `name<<DELIMITER`, the value, and the delimiter again. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1] ?? ''] = match[3] ?? '';
  return outputs;
}

describe('the plan-regions action, started as the runner starts it', () => {
  it('annotates each problem on its line and fails naming the action', () => {
    const ran = runAction({
      alwaysOn: `regions:\n${region('us-east-1').replace('max_replicas: 8', 'max_replicas: 1')}`,
      scalable: `regions:\n${region('eu-west-1', { enabled: true }).replace('instance_types: [c7i.large]', 'instance_type: [c7i.large]')}`,
    });
    expect(ran.code).toBe(1);
    const commands = ran.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(commands).toEqual([
      '::error title=kubecdn range/min-max,file=regions/always-on.yaml,line=11,col=21::us-east-1 edge.min_replicas: is 2, above max_replicas (1)%0Amax_replicas is set at regions/always-on.yaml:12:21',
      '::error title=kubecdn schema/required,file=regions/scalable.yaml,line=7,col=11::eu-west-1 cluster.node_groups[0]: missing required key "instance_types"%0AEC2 instance types, in order of preference (for example c7i.large).',
      '::error title=kubecdn schema/additionalProperties,file=regions/scalable.yaml,line=8,col=11::eu-west-1 cluster.node_groups[0]: unknown key "instance_type"%0Adid you mean "instance_types"?',
      '::error::plan-regions failed: 3 errors in the region files',
    ]);
    expect(ran.outputs).toEqual({ valid: 'false', 'serving-regions': '[]' });
    expect(ran.summary).toContain('❌ 3 errors in the region files.');
  });

  it('passes on valid files and names the serving regions', () => {
    const ran = runAction({ scalable: `regions:\n${region('eu-west-1', { enabled: true })}${region('ap-south-1', { enabled: false })}` });
    expect(ran.stdout.split('\n').filter((l) => l.startsWith('::'))).toEqual([]);
    expect(ran.code).toBe(0);
    expect(ran.outputs).toEqual({ valid: 'true', 'serving-regions': '["us-east-1","eu-west-1"]' });
    expect(ran.summary).toContain('| `ap-south-1` Asia Pacific (Mumbai) | scalable | ⚪ no |');
  });
});

describe('committed bundles', () => {
  it('are what the bundler builds from the current source', () => {
    const check = spawnSync(process.execPath, ['build.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
