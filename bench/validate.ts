// Validation of 1,000 generated regions: warm time in-process and whole-process time of the CLI.
// Baselines: parsing the same YAML without positions (the floor of any YAML validator), and
// starting node with nothing to do (the floor of any command).
//   npx tsx bench/validate.ts [--regions N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../src/core/config.js';
import { generatedRegionFiles } from './generate.js';
import { ms, time } from './timing.js';

const flag = process.argv.indexOf('--regions');
const count = flag > 0 ? Number(process.argv[flag + 1]) : 1000;
const root = path.resolve(import.meta.dirname, '..');
const files = generatedRegionFiles(count);
const cdn = readFileSync(path.join(root, 'regions/cdn.yaml'), 'utf8');
const sources = () => ({
  'always-on': { path: 'regions/always-on.yaml', text: files.alwaysOn },
  scalable: { path: 'regions/scalable.yaml', text: files.scalable },
  cdn: { path: 'regions/cdn.yaml', text: cdn },
});

const cold = time(1, () => loadConfig(sources(), { today: '2026-11-25' }));
const result = loadConfig(sources(), { today: '2026-11-25' });
const warm = time(20, () => loadConfig(sources(), { today: '2026-11-25' }));
const parseOnly = time(20, () => {
  for (const text of [files.alwaysOn, files.scalable, cdn]) parse(text);
});

const dir = mkdtempSync(path.join(tmpdir(), 'kubecdn-bench-'));
writeFileSync(path.join(dir, 'always-on.yaml'), files.alwaysOn);
writeFileSync(path.join(dir, 'scalable.yaml'), files.scalable);
writeFileSync(path.join(dir, 'cdn.yaml'), cdn);
const cli = path.join(root, 'dist/cli/index.js');
const wholeProcess = time(10, () => spawnSync(process.execPath, [cli, 'validate', '--dir', dir, '--format', 'json'], { encoding: 'utf8' }));
const nodeStart = time(10, () => spawnSync(process.execPath, ['-e', ''], { encoding: 'utf8' }));

console.log(
  `validate: ${count} regions (${files.alwaysOn.length + files.scalable.length} bytes of YAML), ${result.problems.length} problems found`,
);
console.log(`  first run in process (schema compile + validate)  ${ms(cold)}`);
console.log(
  `  warm, median of 20                                ${ms(warm)}   ${(warm / parseOnly).toFixed(1)}x plain YAML parse (${ms(parseOnly)})`,
);
console.log(
  `  whole process, kubecdn validate, median of 10     ${ms(wholeProcess)}   ${(wholeProcess / nodeStart).toFixed(1)}x empty node start (${ms(nodeStart)})`,
);
