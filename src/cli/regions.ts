// kubecdn validate, regions and matrix: the region files checked, listed, and what a change touches.
import * as core from '@actions/core';
import path from 'node:path';
import {
  awsRegionsToJson,
  awsRegionsToText,
  problemsToAnnotations,
  problemsToJson,
  problemsToText,
  regionsToJson,
  regionsToText,
} from '../core/render.js';
import { loadChange } from '../node/change.js';
import { loadRegionDir } from '../node/region-dir.js';
import { EXIT, type Io } from './io.js';
import type { MatrixOptions, RegionsOptions, ValidateOptions } from './program/regions.js';

export async function validate(io: Io, options: ValidateOptions): Promise<number> {
  const result = await loadRegionDir(path.resolve(io.cwd, options.dir), io.cwd);
  switch (options.format) {
    case 'json':
      io.out(JSON.stringify(problemsToJson(result.problems), null, 2));
      break;
    case 'github':
      // @actions/core writes the workflow commands, escaping as the runner expects.
      for (const a of problemsToAnnotations(result.problems)) core[a.level](a.message, a.properties);
      break;
    case 'text':
      io.out(problemsToText(result.problems, io.outStyle));
      break;
  }
  return result.config ? EXIT.ok : EXIT.finding;
}

export async function regions(io: Io, options: RegionsOptions): Promise<number> {
  const result = await loadRegionDir(path.resolve(io.cwd, options.dir), io.cwd);
  if (!result.config) {
    io.err(problemsToText(result.problems, io.errStyle));
    return EXIT.finding;
  }
  if (options.json) io.out(JSON.stringify(options.all ? awsRegionsToJson(result.config) : regionsToJson(result.config), null, 2));
  else io.out(options.all ? awsRegionsToText(result.config) : regionsToText(result.config, io.outStyle));
  return EXIT.ok;
}

export async function matrix(io: Io, options: MatrixOptions): Promise<number> {
  const change = await loadChange(io.cwd, options);
  if (!change.matrix) {
    io.err(problemsToText(change.head.problems, io.errStyle));
    return EXIT.finding;
  }
  // Standard output stays the matrix's JSON; the warning goes with the other messages, pointing at
  // the setting as the annotation on the pull request does. A new zone plans nothing, and the
  // matrix alone would read as "no change".
  if (change.cdnWide) {
    const at = change.cdnWideAt;
    io.err(`${at ? `${io.errStyle.bold(`${at.file}:${at.line}:${at.column}`)}  ` : ''}${io.errStyle.yellow('warning')}  ${change.cdnWide}`);
  }
  io.out(JSON.stringify(change.matrix));
  return EXIT.ok;
}
