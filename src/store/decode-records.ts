import type { BatonRecord, KindDefinition } from '../api/kinds.js';
import { formatIssuePath } from '../api/issue-path.js';
import { parseKvJson, type KvEntry } from '../consul/wire.js';
import type { InvalidEntry, RecordEntry, RecordError } from './record-entry.js';
import type { RecordKeys } from '../layout/record-keys.js';

/**
 * Decode the KV entries under a kind's prefix into records, one entry per record that has a spec key,
 * sorted by name. Never throws: a record that fails to parse comes back as an `InvalidEntry`.
 * A status key without a spec key (a half-deleted record) is skipped.
 */
export function decodeRecords<R extends BatonRecord>(
  kind: KindDefinition<R>,
  keys: RecordKeys,
  entries: Iterable<KvEntry>,
): RecordEntry<R>[] {
  const byName = new Map<string, { spec?: KvEntry; status?: KvEntry }>();
  for (const entry of entries) {
    const parsed = keys.parse(entry.key);
    if (parsed === undefined) continue;
    const parts = byName.get(parsed.name) ?? {};
    parts[parsed.part] = entry;
    byName.set(parsed.name, parts);
  }
  const records: RecordEntry<R>[] = [];
  for (const [name, parts] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (parts.spec !== undefined) records.push(decodeRecord(kind, name, parts.spec, parts.status));
  }
  return records;
}

/** Decode one record from its spec key and optional status key. */
export function decodeRecord<R extends BatonRecord>(
  kind: KindDefinition<R>,
  name: string,
  spec: KvEntry,
  status: KvEntry | undefined,
): RecordEntry<R> {
  const indexes = { name, specIndex: spec.modifyIndex, statusIndex: status?.modifyIndex ?? 0 };
  const invalid = (error: RecordError, generation = 0): InvalidEntry => ({ ...indexes, generation, error });

  const document = parseKvJson(spec.value);
  if (!isObject(document)) {
    return invalid({ path: '(root)', message: `the spec key ${spec.key} does not hold a JSON object` });
  }
  const metadata = isObject(document['metadata']) ? document['metadata'] : {};
  const generation = metadata['generation'];
  const storedGeneration = typeof generation === 'number' && Number.isInteger(generation) ? generation : 0;

  let statusDocument: unknown;
  if (status !== undefined && status.value.length > 0) {
    statusDocument = parseKvJson(status.value);
    if (!isObject(statusDocument)) {
      return invalid(
        { path: 'status', message: `the status key ${status.key} does not hold a JSON object` },
        storedGeneration,
      );
    }
  }
  const candidate = {
    ...document,
    metadata: { ...metadata, resourceVersion: String(spec.modifyIndex) },
    ...(statusDocument === undefined ? {} : { status: statusDocument }),
  };
  const result = kind.schema.safeParse(candidate);
  if (!result.success) {
    const [first] = result.error.issues;
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
    return invalid(
      { path: formatIssuePath(first?.path ?? []), message: `${first?.message ?? 'invalid'}${more}` },
      storedGeneration,
    );
  }
  if (result.data.metadata.name !== name) {
    return invalid(
      {
        path: 'metadata.name',
        message: `stored under the name "${name}" but names itself "${result.data.metadata.name}"`,
      },
      storedGeneration,
    );
  }
  return { ...indexes, record: result.data };
}

/** The spec key's document: everything an operator owns (no resourceVersion, no status). */
export function encodeSpecDocument(record: BatonRecord): string {
  const { name, generation, labels, annotations } = record.metadata;
  return JSON.stringify({
    apiVersion: record.apiVersion,
    kind: record.kind,
    metadata: { name, generation, labels, annotations },
    spec: record.spec,
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
