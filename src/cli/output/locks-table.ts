import type { LockRow } from '../../singleton/lock-list.js';
import { columnWidths, formatAge, orNone, renderTable } from './table.js';

export { listLocks, type LockRow } from '../../singleton/lock-list.js';

const LOCK_HEADERS = ['NAME', 'KIND', 'HOLDER', 'HOST', 'PID', 'TOKEN', 'SINCE'];

export function renderLocks(rows: readonly LockRow[], now: Date, minWidths: readonly number[] = []): string {
  return renderTable(
    LOCK_HEADERS,
    rows.map((row) => lockCells(row, now)),
    minWidths,
  );
}

/** The column widths of a lock table, so rows printed later by `--watch` line up. */
export function lockWidths(rows: readonly LockRow[], now: Date): number[] {
  return columnWidths(
    LOCK_HEADERS,
    rows.map((row) => lockCells(row, now)),
  );
}

function lockCells(row: LockRow, now: Date): string[] {
  return [
    row.name,
    row.kind,
    orNone(row.holder ?? (row.session === undefined ? undefined : `session ${row.session}`)),
    orNone(row.host),
    orNone(row.pid),
    orNone(row.token),
    formatAge(row.since, now),
  ];
}
