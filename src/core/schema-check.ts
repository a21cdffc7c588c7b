// Validation against the schema, with ajv's findings turned into messages a person can act on.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import type { Problem } from './problems.js';
import { HOSTNAME_PATTERN, SCHEMAS, type FileKind } from './schema.js';
import type { ParsedFile } from './source.js';

let validators: Record<FileKind, ValidateFunction> | undefined;

function compiled(): Record<FileKind, ValidateFunction> {
  // Compiled once per process, on first use: compiling is most of validation's fixed cost.
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true, verbose: true });
    validators = {
      'always-on': ajv.compile(SCHEMAS['always-on']),
      scalable: ajv.compile(SCHEMAS.scalable),
      cdn: ajv.compile(SCHEMAS.cdn),
    };
  }
  return validators;
}

/** Checks `file.data` against its schema, filling in defaults; returns every finding. */
export function checkSchema(kind: FileKind, file: ParsedFile): Problem[] {
  const validate = compiled()[kind];
  if (validate(file.data)) return [];
  const errors = validate.errors ?? [];
  // A value of the wrong type also fails its enum or pattern; the type is the one worth saying.
  const typeErrorPaths = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'type' || !typeErrorPaths.has(e.instancePath)).map((e) => describe(e, file));
}

function describe(error: ErrorObject, file: ParsedFile): Problem {
  const path = decodePointer(error.instancePath);
  const subject = subjectOf(path, file.data);
  const rule = `schema/${error.keyword}`;
  const at = (p: readonly (string | number)[], key = false) => ({
    file: file.path,
    ...file.locate(p, key),
    rule,
    severity: 'error' as const,
  });
  const params = error.params as Record<string, unknown>;
  const value = error.data;
  const description = (error.parentSchema as { description?: string } | undefined)?.description;

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const hint = movedKeyHint(file.path, key) ?? suggest(key, allowed);
      return { ...at([...path, key], true), message: `${subject}unknown key "${key}"`, ...(hint ? { hint } : {}) };
    }
    case 'required': {
      const key = String(params['missingProperty']);
      return { ...at(path, true), message: `${subject}missing required key "${key}"`, ...hintFrom(schemaOfProperty(error, key)) };
    }
    case 'type': {
      const expected = String(params['type']);
      return {
        ...at(path),
        message: `${subject}must be ${article(expected)}, not ${kindOf(value)}`,
        ...typeHint(expected, value, path[path.length - 1]),
      };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      const last = path[path.length - 1];
      const message =
        last === 'region'
          ? `${subject}unknown AWS region "${String(value)}"`
          : `${subject}${JSON.stringify(value)} is not one of ${allowed.length <= 6 ? allowed.join(', ') : 'the allowed values'}`;
      const hint =
        last === 'region'
          ? (suggest(String(value), allowed) ?? 'run `kubecdn regions --all` for the regions Route53 latency routing supports')
          : suggest(String(value), allowed);
      return { ...at(path), message, ...(hint ? { hint } : {}) };
    }
    case 'minimum':
    case 'maximum': {
      const bound = params['limit'];
      const word = error.keyword === 'minimum' ? 'at least' : 'at most';
      return { ...at(path), message: `${subject}must be ${word} ${String(bound)}, not ${String(value)}`, ...hintFrom(error.parentSchema) };
    }
    case 'minItems': {
      const n = Number(params['limit']);
      return {
        ...at(path, true),
        message: `${subject}must list at least ${n} entr${n === 1 ? 'y' : 'ies'}`,
        ...hintFrom(error.parentSchema),
      };
    }
    case 'uniqueItems': {
      const j = Number(params['j']);
      const i = Number(params['i']);
      const items = value as unknown[];
      return {
        ...at([...path, Math.min(i, j)]),
        message: `${subject}lists ${JSON.stringify(items[Math.min(i, j)])} twice`,
        hint: `entries ${Math.min(i, j) + 1} and ${Math.max(i, j) + 1} are the same; keep one`,
      };
    }
    case 'pattern':
    case 'maxLength': {
      const fix = typeof value === 'string' && params['pattern'] === HOSTNAME_PATTERN ? hostnameHint(value) : undefined;
      return {
        ...at(path),
        message: `${subject}${JSON.stringify(value)} is not valid here`,
        ...(fix ? { hint: fix } : hintFrom(error.parentSchema)),
      };
    }
    default:
      return { ...at(path), message: `${subject}${error.message ?? 'is not valid'}`, ...(description ? { hint: description } : {}) };
  }
}

function decodePointer(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/**
 * What a message is about, ending in ": ": "eu-west-1 edge.max_replicas: " inside a region entry
 * whose code is readable, otherwise the dotted path ("cdn.ttl: "); empty for the whole file.
 */
export function subjectOf(path: readonly (string | number)[], data: unknown): string {
  let rest = path;
  let prefix = '';
  if (path[0] === 'regions' && typeof path[1] === 'number' && path[2] !== 'region') {
    const entry = (data as { regions?: unknown[] } | undefined)?.regions?.[path[1]];
    const code = (entry as { region?: unknown } | undefined)?.region;
    if (typeof code === 'string') {
      prefix = code;
      rest = path.slice(2);
    }
  }
  const dotted = rest.reduce<string>((out, seg) => (typeof seg === 'number' ? `${out}[${seg}]` : out ? `${out}.${seg}` : seg), '');
  const subject = [prefix, dotted].filter(Boolean).join(' ');
  return subject ? `${subject}: ` : '';
}

function suggest(value: string, allowed: readonly string[]): string | undefined {
  if (allowed.length === 0) return undefined;
  // Case is compared apart: "spot" for SPOT is a slip, not four wrong letters.
  const lower = allowed.map((a) => a.toLowerCase());
  const best = closest(value.toLowerCase(), lower);
  const match = allowed[lower.indexOf(best)] ?? best;
  // Close enough to be a slip of the keyboard: a third of the word, and at least two edits.
  if (distance(value.toLowerCase(), best) <= Math.max(2, Math.floor(best.length / 3))) return `did you mean "${match}"?`;
  return allowed.length <= 8 ? `allowed here: ${allowed.join(', ')}` : undefined;
}

function hintFrom(schema: unknown): { hint?: string } {
  const description = (schema as { description?: unknown } | undefined)?.description;
  return typeof description === 'string' ? { hint: description } : {};
}

function schemaOfProperty(error: ErrorObject, key: string): unknown {
  return (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties?.[key];
}

function typeHint(expected: string, value: unknown, key: string | number | undefined): { hint?: string } {
  if (expected === 'string' && typeof value === 'number') {
    const shown = String(value);
    // Only a trailing zero is lost: an unquoted 1.30 arrives as 1.3, and no EKS version has one digit.
    const written = key === 'kubernetes_version' && /^\d+\.\d$/.test(shown) ? `${shown}0` : shown;
    const lost = written === shown ? 'as a number' : `as the number ${shown}`;
    return { hint: `YAML reads an unquoted ${written} ${lost}: put it in quotes, as "${written}"` };
  }
  if (expected === 'boolean' && typeof value === 'string') {
    return { hint: 'write true or false (YAML 1.2 reads yes, no, on and off as text)' };
  }
  return {};
}

/** Keys that belong in another region file, with where to move the entry. */
function movedKeyHint(file: string, key: string): string | undefined {
  if (file.endsWith('always-on.yaml') && (key === 'enabled' || key === 'scaling')) {
    return 'always-on regions always serve; to switch this region on and off, move its entry to scalable.yaml';
  }
  return undefined;
}

/** What to write instead of a hostname the schema refuses, where the fix is knowable. */
export function hostnameHint(name: string): string | undefined {
  if (name.endsWith('.') && name.length > 1) return `drop the final dot: write ${name.slice(0, -1)}`;
  if (!/^[\p{ASCII}]*$/u.test(name)) {
    const ascii = punycode(name);
    return ascii ? `write an internationalised name in its punycode form: ${ascii}` : 'write the name in ASCII (punycode for IDNs)';
  }
  if (name !== name.toLowerCase()) return `hostnames are lower-case here: write ${name.toLowerCase()}`;
  return undefined;
}

function punycode(name: string): string | undefined {
  try {
    return new URL(`http://${name}/`).hostname;
  } catch {
    return undefined;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'text',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
  };
  return names[type] ?? type;
}
