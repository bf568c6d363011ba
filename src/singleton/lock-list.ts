import type { ConsulClient } from '../consul/client.js';
import type { LockKeys } from '../layout/lock-keys.js';
import { decodeHolder } from './holder-record.js';

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

/** Every lock key under `<root>/locks/`: singletons and exclusive operations, held or not. */
export async function listLocks(client: ConsulClient, locks: LockKeys): Promise<LockRow[]> {
  const { value } = await client.kv.list(locks.prefix, { consistency: 'consistent' });
  return value.flatMap((entry) => {
    const owner = locks.parse(entry.key);
    if (owner === undefined) return [];
    const base = { name: owner.name, kind: owner.kind === 'singleton' ? 'singleton' : 'exclusive' } as const;
    if (entry.session === undefined) return [base];
    const holder = decodeHolder(entry.value);
    return [
      {
        ...base,
        session: entry.session,
        token: entry.modifyIndex,
        ...(holder === undefined
          ? {}
          : { holder: holder.identity, host: holder.host, pid: holder.pid, since: holder.since }),
      },
    ];
  });
}
