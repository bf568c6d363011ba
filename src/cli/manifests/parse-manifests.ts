import { isMap, isNode, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { z } from 'zod';
import { formatIssuePath } from '../../api/issue-path.js';
import { KINDS, type BatonRecord } from '../../api/kinds.js';

/** One thing wrong with a manifest, located in its file. */
export interface ManifestProblem {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  /** The field, as `spec.timing.lockDelay`; `(root)` for the document itself, `(yaml)` for syntax. */
  readonly path: string;
  readonly message: string;
}

/** A record parsed from a manifest, and where it was found. */
export interface ManifestRecord {
  readonly record: BatonRecord;
  readonly file: string;
  readonly line: number;
}

export interface ParsedManifests {
  readonly records: readonly ManifestRecord[];
  readonly problems: readonly ManifestProblem[];
}

/** `file:line:col: path: message`, the form editors and CI annotations jump to. */
export function formatProblem(problem: ManifestProblem): string {
  return `${problem.file}:${problem.line}:${problem.col}: ${problem.path}: ${problem.message}`;
}

/**
 * Parse and validate every YAML document of every file (pure: the files are given as text). Collects every
 * problem instead of stopping at the first, so one run of `baton apply` shows them all. A record named
 * twice (in one file or across files) is a problem too.
 */
export function parseManifests(files: readonly { file: string; text: string }[]): ParsedManifests {
  const records: ManifestRecord[] = [];
  const problems: ManifestProblem[] = [];
  const firstSeen = new Map<string, ManifestRecord>();
  for (const { file, text } of files) {
    const lineCounter = new LineCounter();
    const at = (offset: number, path: string, message: string): ManifestProblem => {
      const { line, col } = lineCounter.linePos(offset);
      return { file, line, col, path, message };
    };
    const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (!Array.isArray(documents)) continue; // an empty stream: nothing to apply
    for (const document of documents) {
      const syntax = [...document.errors];
      if (syntax.length > 0) {
        problems.push(
          ...syntax.map((error) => at(error.pos[0], '(yaml)', error.message.split('\n')[0] ?? '')),
        );
        continue;
      }
      const { contents } = document;
      // An empty document (after a trailing `---`, or only comments) holds nothing to apply.
      if (contents === null || (isScalar(contents) && contents.value === null)) continue;
      for (const { value, path } of documentItems(document.toJS() as unknown)) {
        const node = path.length === 0 ? contents : document.getIn(path, true);
        const start = isNode(node) ? (node.range?.[0] ?? contents.range[0]) : contents.range[0];
        const result = validate(value);
        if (!result.ok) {
          for (const issue of result.issues) {
            const located = { ...issue, path: [...path, ...issue.path] };
            problems.push(at(offsetOf(document, located), formatIssuePath(located.path), issue.message));
          }
          continue;
        }
        const found: ManifestRecord = { record: result.record, file, line: lineCounter.linePos(start).line };
        const id = `${result.record.kind.toLowerCase()} "${result.record.metadata.name}"`;
        const earlier = firstSeen.get(id);
        if (earlier !== undefined) {
          const nameNode = document.getIn([...path, 'metadata', 'name'], true);
          const offset = isNode(nameNode) ? (nameNode.range?.[0] ?? start) : start;
          problems.push(
            at(
              offset,
              formatIssuePath([...path, 'metadata', 'name']),
              `${id} is also defined at ${earlier.file}:${earlier.line}`,
            ),
          );
          continue;
        }
        firstSeen.set(id, found);
        records.push(found);
      }
    }
  }
  return { records, problems };
}

/**
 * The records a document holds: itself, or the `items` of a `kind: List` (what `baton get -o yaml` prints
 * for several records), each with its path in the document so problems point into the list.
 */
function documentItems(value: unknown): { value: unknown; path: (string | number)[] }[] {
  if (typeof value !== 'object' || value === null) return [{ value, path: [] }];
  const object = value as Record<string, unknown>;
  if (object['kind'] !== 'List') return [{ value, path: [] }];
  const items = object['items'];
  if (!Array.isArray(items)) {
    return [{ value: { kind: 'List', items }, path: [] }]; // reported by validate as an unknown kind
  }
  return items.map((item: unknown, index) => ({ value: item, path: ['items', index] }));
}

type Validation =
  | { readonly ok: true; readonly record: BatonRecord }
  | { readonly ok: false; readonly issues: readonly z.core.$ZodIssue[] };

function validate(value: unknown): Validation {
  const kindName =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['kind'] : undefined;
  const kind = KINDS.find((candidate) => candidate.kind === kindName);
  if (kind === undefined) {
    const expected = `${KINDS.map((candidate) => candidate.kind).join(', ')} or a List of them`;
    const message =
      kindName === undefined
        ? `a document needs a kind (${expected})`
        : `unknown kind ${JSON.stringify(kindName)}: expected ${expected}`;
    return {
      ok: false,
      issues: [{ code: 'custom', path: kindName === undefined ? [] : ['kind'], message, input: value }],
    };
  }
  const result = kind.schema.safeParse(value);
  return result.success ? { ok: true, record: result.data } : { ok: false, issues: result.error.issues };
}

/** Where an issue points in the source: the deepest node on its path that exists (a key for a stray key). */
function offsetOf(document: Document.Parsed, issue: z.core.$ZodIssue): number {
  const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
    if (!isNode(node)) continue;
    if (issue.code === 'unrecognized_keys' && depth === path.length && isMap(node)) {
      const stray = node.items.find(
        (pair) => isScalar(pair.key) && issue.keys.includes(String(pair.key.value)),
      );
      if (isScalar(stray?.key) && stray.key.range !== undefined && stray.key.range !== null)
        return stray.key.range[0];
    }
    if (node.range !== undefined && node.range !== null) return node.range[0];
  }
  return document.contents?.range[0] ?? 0;
}
