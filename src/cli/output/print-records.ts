import { stringify } from 'yaml';
import { API_VERSION } from '../../api/metadata.js';
import type { KindDefinition } from '../../api/kinds.js';
import type { RecordEntry } from '../../store/record-entry.js';
import { jsonLine, type OutputFormat, type WatchEventType } from './output-format.js';
import { columnsFor } from './record-columns.js';
import { columnWidths, renderTable } from './table.js';

export interface PrintRecordsOptions {
  readonly format: OutputFormat;
  /** One record was asked for by name: JSON/YAML print it bare, not in a `kind: List`. */
  readonly single: boolean;
  readonly headers: boolean;
  /** Column widths of an earlier table, so rows printed later by `--watch` line up. */
  readonly minWidths?: readonly number[];
}

/** `kind/name`, how kubectl's `-o name` names an object. */
export function recordName(kind: KindDefinition, name: string): string {
  return `${kind.singular}/${name}`;
}

/** Print records in a format; returns the table's column widths (empty for other formats). */
export function printRecords(
  kind: KindDefinition,
  entries: readonly RecordEntry[],
  options: PrintRecordsOptions,
): number[] {
  const { format } = options;
  if (format === 'name') {
    process.stdout.write(entries.map((entry) => `${recordName(kind, entry.name)}\n`).join(''));
    return [];
  }
  if (format === 'json' || format === 'yaml') {
    const items = entries.flatMap((entry) => (entry.record === undefined ? [] : [entry.record]));
    // Several records print as a `kind: List`, which `baton apply -f` takes back.
    const document =
      options.single && items.length === 1 ? items[0] : { apiVersion: API_VERSION, kind: 'List', items };
    process.stdout.write(format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : stringify(document));
    return [];
  }
  const columns = columnsFor(kind.kind);
  const wide = format === 'wide';
  const headers = columns.headers(wide);
  const now = new Date();
  const rows = entries.map((entry) => columns.row(entry, wide, now));
  const table = renderTable(headers, rows, options.minWidths);
  process.stdout.write(options.headers ? table : table.slice(table.indexOf('\n') + 1));
  return columnWidths(headers, rows, options.minWidths);
}

/**
 * One record's change during `--watch`: JSON as one line per change (`{"type","object"}`, JSON Lines),
 * YAML as one document, a name as `kind/name` (`kind/name deleted`), a table as a row whose status
 * column says `Deleted` for a deletion.
 */
export function printWatchEvent(
  kind: KindDefinition,
  type: WatchEventType,
  entry: RecordEntry,
  format: OutputFormat,
  widths: readonly number[],
): void {
  if (format === 'json') {
    process.stdout.write(jsonLine(type, entry.record ?? { kind: kind.kind, name: entry.name }));
  } else if (format === 'yaml') {
    process.stdout.write(`---\n${stringify({ type, object: entry.record ?? { name: entry.name } })}`);
  } else if (format === 'name') {
    const suffix = type === 'DELETED' ? ' deleted' : '';
    process.stdout.write(`${recordName(kind, entry.name)}${suffix}\n`);
  } else {
    const columns = columnsFor(kind.kind);
    const wide = format === 'wide';
    const row = columns.row(entry, wide, new Date());
    if (type === 'DELETED') row[1] = 'Deleted';
    const table = renderTable(columns.headers(wide), [row], widths);
    process.stdout.write(table.slice(table.indexOf('\n') + 1));
  }
}
