import type { LockRow } from '../../singleton/lock-list.js';
import { formatAge, orNone, renderTable } from './table.js';

export { listLocks, type LockRow } from '../../singleton/lock-list.js';

export function renderLocks(rows: readonly LockRow[], now: Date): string {
  return renderTable(
    ['NAME', 'KIND', 'HOLDER', 'HOST', 'PID', 'TOKEN', 'SINCE'],
    rows.map((row) => [
      row.name,
      row.kind,
      orNone(row.holder ?? (row.session === undefined ? undefined : `session ${row.session}`)),
      orNone(row.host),
      orNone(row.pid),
      orNone(row.token),
      formatAge(row.since, now),
    ]),
  );
}
