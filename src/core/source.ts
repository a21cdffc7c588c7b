// YAML text to data, keeping where every value stands so that any problem can name its line and column.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLError } from 'yaml';
import type { Problem } from './problems.js';

export interface SourceFile {
  /** Path as the user should see it, relative to the repository root. */
  readonly path: string;
  readonly text: string;
}

export interface ParsedFile {
  readonly path: string;
  readonly data: unknown;
  /** Line and column of the value (or, with `key`, of the map key) at a data path. */
  readonly locate: (path: readonly (string | number)[], key?: boolean) => { line: number; column: number };
}

const yamlMessages: Record<string, string> = {
  DUPLICATE_KEY: 'duplicate key',
  MULTIPLE_DOCS: 'a region file holds one YAML document',
  TAB_AS_INDENT: 'tabs are not allowed for indentation in YAML',
};

export function parseSource(source: SourceFile): { file?: ParsedFile; problems: Problem[] } {
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *defaults`) are a YAML 1.1 feature that region files with many alike entries want.
  const doc = parseDocument(source.text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, merge: true });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  // Files are read as UTF-8; a byte that is not UTF-8 arrives as U+FFFD and would make any message
  // about that line misleading, so it is the one problem reported.
  const replaced = source.text.indexOf('\uFFFD');
  if (replaced >= 0) {
    return {
      problems: [
        {
          file: source.path,
          ...position(replaced),
          severity: 'error',
          rule: 'yaml/encoding',
          message: 'the file is not valid UTF-8 here',
          hint: 'region files are UTF-8 text; save the file as UTF-8 (a byte of another encoding, such as Latin-1, stands here)',
        },
      ],
    };
  }
  const problems: Problem[] = [
    ...doc.errors.map((error) => yamlProblem(source, error, position(error.pos[0]), 'error')),
    ...doc.warnings.map((warning) => yamlProblem(source, warning, position(warning.pos[0]), 'warning')),
  ];
  // A repeated key leaves a readable document (the last value wins), so checking goes on and the
  // other problems of the file are reported too; a syntax error leaves nothing safe to check.
  if (doc.errors.some((e) => e.code !== 'DUPLICATE_KEY')) return { problems };
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  return { file: { path: source.path, data, locate: locator(doc, position) }, problems };
}

function yamlProblem(source: SourceFile, error: YAMLError, at: { line: number; column: number }, severity: Problem['severity']): Problem {
  if (error.code === 'DUPLICATE_KEY') {
    // The error marks the key's first character; the key runs to the colon that ends it.
    const key =
      /^("[^"]*"|'[^']*'|[^:\n]*)/
        .exec(source.text.slice(error.pos[0]))?.[0]
        .trim()
        .replace(/^["']|["']$/g, '') ?? '';
    return {
      file: source.path,
      ...at,
      severity,
      rule: 'yaml/duplicate-key',
      message: key ? `duplicate key "${key}"` : 'duplicate key',
      hint: 'a key may appear once in a mapping; remove or merge the repeated one',
    };
  }
  return {
    file: source.path,
    ...at,
    severity,
    rule: 'yaml/syntax',
    message: yamlMessages[error.code] ?? firstLine(error.message),
  };
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  // The yaml package appends " at line L, column C"; the position is reported separately.
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

function locator(doc: Document, position: (offset: number) => { line: number; column: number }) {
  return (path: readonly (string | number)[], key = false) => {
    // Walk as far down the path as the document goes; a missing tail points at its parent.
    let node: Node | null = doc.contents;
    let keyNode: Node | null = null;
    let found = true;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair || !isPair(pair)) {
          found = false;
          break;
        }
        keyNode = pair.key as Node;
        node = (pair.value as Node | null) ?? keyNode;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
        keyNode = null;
        node = node.items[segment] as Node;
      } else {
        found = false;
        break;
      }
    }
    const target = key && found && keyNode ? keyNode : node;
    return position(target?.range?.[0] ?? 0);
  };
}
