// kubecdn autoscale: what the scheduled workflow runs, and what a user runs to see what it would do.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { autoscaleToJson, autoscaleToMarkdown, autoscaleToText } from '../core/autoscale-render.js';
import { UsageError } from '../core/problems.js';
import { runAutoscale } from '../node/autoscale.js';
import { cities } from '../node/cities.js';
import { PrometheusError } from '../node/prometheus.js';
import { EXIT, type Io } from './io.js';
import type { AutoscaleOptions } from './program/scaling.js';

export async function autoscale(io: Io, options: AutoscaleOptions): Promise<number> {
  const maxChanges = options.maxChanges === undefined ? undefined : Number(options.maxChanges);
  // As cdn.yaml's autoscale.max_changes: a run that may change nothing is what leaving out --write is.
  if (maxChanges !== undefined && !(Number.isInteger(maxChanges) && maxChanges >= 1 && maxChanges <= 100))
    throw new UsageError(
      `--max-changes takes a whole number from 1 to 100 (as cdn.yaml's autoscale.max_changes), not "${options.maxChanges}"`,
    );
  try {
    const { report } = await runAutoscale(io.cwd, {
      prometheus: options.prometheus,
      dir: options.dir,
      write: options.write,
      places: cities(),
      ...(options.at !== undefined ? { at: options.at } : {}),
      ...(options.cooldown !== undefined ? { cooldown: options.cooldown } : {}),
      ...(maxChanges !== undefined ? { maxChanges } : {}),
      // Progress goes to standard error: standard output is the report, for scripts.
      log: (line) => io.err(line),
    });
    if (options.markdown !== undefined) await writeFile(path.resolve(io.cwd, options.markdown), `${autoscaleToMarkdown(report)}\n`);
    if (options.format === 'json') io.out(JSON.stringify(autoscaleToJson(report), null, 2));
    else if (options.format === 'markdown') io.out(autoscaleToMarkdown(report));
    else io.out(autoscaleToText(report));
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof PrometheusError)) throw error;
    io.err(`kubecdn autoscale: ${error.message}`);
    return EXIT.finding;
  }
}
