// The region files in, a checked configuration out: parse, schema, rules, then the effective regions.
import { AWS_REGIONS } from './aws-regions.js';
import { isError, sortProblems, type Problem } from './problems.js';
import { checkRules, type Tier } from './rules.js';
import { checkSchema } from './schema-check.js';
import type { AlwaysOnFile, CdnFile, CdnSettings, FileKind, RegionSpec, ScalableFile } from './schema.js';
import { parseSource, type ParsedFile, type SourceFile } from './source.js';

export type { Tier } from './rules.js';

/** The files of a region directory, by kind. scalable.yaml may be absent: no scalable regions. */
export const FILE_NAMES: Record<FileKind, string> = {
  'always-on': 'always-on.yaml',
  scalable: 'scalable.yaml',
  cdn: 'cdn.yaml',
};

const REQUIRED: readonly FileKind[] = ['always-on', 'cdn'];

export interface Region {
  readonly region: string;
  /** AWS's display name, "Europe (Ireland)". */
  readonly name: string;
  readonly tier: Tier;
  /** Runs and gets DNS traffic: always-on, or scalable and enabled. */
  readonly serving: boolean;
  readonly file: string;
  readonly line: number;
  readonly spec: RegionSpec;
}

/** Where a value stands in a region file, as a problem names it: `regions/cdn.yaml:2:3`. */
export type Location = Pick<Problem, 'file' | 'line' | 'column'>;

export interface Config {
  readonly cdn: CdnSettings;
  /** Always-on first, then scalable, each in file order. */
  readonly regions: readonly Region[];
  /**
   * Where each key of cdn.yaml's `cdn:` mapping stands, so a message about a setting can point at
   * its line; absent from a configuration built in code rather than read from files.
   */
  readonly cdnKeys?: Readonly<Partial<Record<keyof CdnSettings, Location>>>;
}

export interface LoadResult {
  /** Present only when there is no error (warnings may remain). */
  readonly config?: Config;
  readonly problems: readonly Problem[];
}

export interface LoadOptions {
  /**
   * The day support windows are judged on, YYYY-MM-DD. Left out for the base of a comparison:
   * files valid when merged can fall out of EKS support with no commit, and the change that
   * fixes them must still be planned against them.
   */
  readonly today?: string;
  /** The region directory as users see it, to name a missing file; default `regions`. */
  readonly dir?: string;
}

/**
 * Checks region files given as text (absent kinds left out) and builds the configuration.
 * Every problem is reported at once: a broken file does not hide the others' problems.
 */
export function loadConfig(sources: Partial<Record<FileKind, SourceFile>>, options: LoadOptions): LoadResult {
  const problems: Problem[] = [];
  const parsed: Partial<Record<FileKind, ParsedFile>> = {};
  for (const kind of Object.keys(FILE_NAMES) as FileKind[]) {
    const source = sources[kind];
    if (!source) {
      if (REQUIRED.includes(kind)) {
        problems.push({
          file: `${options.dir ?? 'regions'}/${FILE_NAMES[kind]}`,
          line: 1,
          column: 1,
          rule: 'file/missing',
          severity: 'error',
          message: `${FILE_NAMES[kind]} is missing`,
          hint: 'kubeCDN needs always-on.yaml and cdn.yaml in the region directory',
        });
      }
      continue;
    }
    const result = parseSource(source);
    problems.push(...result.problems);
    if (!result.file) continue;
    if (result.file.data === null || result.file.data === undefined) {
      problems.push({
        file: source.path,
        line: 1,
        column: 1,
        rule: 'file/empty',
        severity: 'error',
        message: `${source.path} is empty`,
        hint: kind === 'cdn' ? 'it needs a top-level cdn: mapping' : 'it needs a top-level regions: list',
      });
      continue;
    }
    problems.push(...checkSchema(kind, result.file));
    parsed[kind] = result.file;
  }
  const regionFiles = (['always-on', 'scalable'] as const).flatMap((tier) => {
    const file = parsed[tier];
    return file ? [{ tier, file }] : [];
  });
  problems.push(
    ...checkRules({ regionFiles, ...(parsed.cdn ? { cdn: parsed.cdn } : {}), ...(options.today ? { today: options.today } : {}) }),
  );

  const sorted = sortProblems(problems);
  if (sorted.some(isError) || !parsed['always-on'] || !parsed.cdn) return { problems: sorted };
  return { config: buildConfig(parsed['always-on'], parsed.scalable, parsed.cdn), problems: sorted };
}

function buildConfig(alwaysOn: ParsedFile, scalable: ParsedFile | undefined, cdn: ParsedFile): Config {
  const region = (file: ParsedFile, index: number, tier: Tier, spec: RegionSpec, serving: boolean): Region => ({
    region: spec.region,
    name: AWS_REGIONS.get(spec.region)?.name ?? spec.region,
    tier,
    serving,
    file: file.path,
    line: file.locate(['regions', index]).line,
    spec,
  });
  const settings = (cdn.data as CdnFile).cdn;
  return {
    cdn: settings,
    cdnKeys: Object.fromEntries(Object.keys(settings).map((key) => [key, { file: cdn.path, ...cdn.locate(['cdn', key], true) }])),
    regions: [
      ...(alwaysOn.data as AlwaysOnFile).regions.map((spec, i) => region(alwaysOn, i, 'always-on', spec, true)),
      ...(scalable ? (scalable.data as ScalableFile).regions : []).map((spec, i) =>
        region(scalable as ParsedFile, i, 'scalable', spec, spec.enabled),
      ),
    ],
  };
}

export function servingRegions(config: Config): Region[] {
  return config.regions.filter((r) => r.serving);
}
