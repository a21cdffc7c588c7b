// A problem is one thing wrong with the user's input, with the place it stands.

export type Severity = 'error' | 'warning';

export interface Problem {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly message: string;
  /** Stable identifier of the check, for example `schema/maximum` or `region/duplicate`. */
  readonly rule: string;
  readonly severity: Severity;
  /** What to do about it, when that is knowable. */
  readonly hint?: string;
}

export function isError(problem: Problem): boolean {
  return problem.severity === 'error';
}

/** Problems in reading order: by file, then line, then column. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule),
  );
}

/** Thrown where a caller needs a valid configuration and the region files are not. */
export class RegionConfigError extends Error {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    const errors = problems.filter(isError);
    const first = errors[0];
    super(
      first
        ? `${errors.length} problem${errors.length === 1 ? '' : 's'} in the region files, first at ${first.file}:${first.line}:${first.column}: ${first.message}`
        : 'the region files are not valid',
    );
    this.name = 'RegionConfigError';
    this.problems = problems;
  }
  get file(): string | undefined {
    return this.problems[0]?.file;
  }
  get line(): number | undefined {
    return this.problems[0]?.line;
  }
  get column(): number | undefined {
    return this.problems[0]?.column;
  }
}

/** Thrown for a wrong command line or action input: what was asked cannot be done as asked. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
