// plan-regions: the pull-request door onto the core. Reads inputs once, calls the core, reports.
import * as core from '@actions/core';
import path from 'node:path';
import { servingRegions } from '../../src/core/config.js';
import { renderPreviewMarkdown } from '../../src/core/preview.js';
import { errorMessage } from '../../src/core/problems.js';
import { countProblems, problemsToAnnotations } from '../../src/core/render.js';
import { loadRegionDir } from '../../src/node/region-dir.js';

export interface Inputs {
  readonly directory: string;
}

export function getInputs(): Inputs {
  return { directory: core.getInput('directory') || 'regions' };
}

export async function run(): Promise<void> {
  try {
    const inputs = getInputs();
    // Annotation paths are relative to the workspace, which is where the runner starts actions.
    const root = process.env['GITHUB_WORKSPACE'] ?? process.cwd();
    const result = await loadRegionDir(path.resolve(root, inputs.directory), root);
    for (const a of problemsToAnnotations(result.problems)) core[a.level](a.message, a.properties);
    core.setOutput('valid', String(result.config !== undefined));
    core.setOutput('serving-regions', JSON.stringify(result.config ? servingRegions(result.config).map((r) => r.region) : []));
    await core.summary.addRaw(renderPreviewMarkdown(result), true).write();
    if (!result.config) {
      const { errors } = countProblems(result.problems);
      core.setFailed(`plan-regions failed: ${errors} error${errors === 1 ? '' : 's'} in the region files`);
    }
  } catch (error) {
    core.setFailed(`plan-regions failed: ${errorMessage(error)}`);
  }
}
