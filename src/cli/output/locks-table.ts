import type { ConsulClient } from '../../consul/client.js';
import { decodeHolder } from '../../singleton/holder-record.js';
import { LOCK_PREFIX } from '../../singleton/keys.js';
import { formatAge, orNone, renderTable } from './table.js';

export interface LockRow {
  readonly name: string;
  readonly kind: 'singleton' | 'exclusive';
  readonly holder?: string;
  readonly host?: string;
  readonly pid?: number;
  readonly session?: string;
  /** The fencing token of the current holder (ModifyIndex of its acquiring write). */
  readonly token?: number;
  readonly since?: string;
}

/** Every lock key under `baton/v1/locks/`: singletons and exclusive operations, held or not. */
export async function listLocks(client: ConsulClient): Promise<LockRow[]> {
  const { value } = await client.kv.list(LOCK_PREFIX, { consistency: 'consistent' });
  return value.map((entry) => {
    const name = entry.key.slice(LOCK_PREFIX.length);
    const exclusive = name.startsWith('exclusive.');
    const base = {
      name: exclusive ? name.slice('exclusive.'.length) : name,
      kind: exclusive ? ('exclusive' as const) : ('singleton' as const),
    };
    if (entry.session === undefined) return base;
    const holder = decodeHolder(entry.value);
    return {
      ...base,
      session: entry.session,
      token: entry.modifyIndex,
      ...(holder === undefined
        ? {}
        : { holder: holder.identity, host: holder.host, pid: holder.pid, since: holder.since }),
    };
  });
}

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
