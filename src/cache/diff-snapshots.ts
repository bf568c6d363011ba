import type { KvEntry } from '../consul/wire.js';

export type ChangeType = 'added' | 'updated' | 'deleted';

/** One key that differs between two snapshots; for `deleted`, `entry` is the last one seen. */
export interface KvChange {
  readonly type: ChangeType;
  readonly key: string;
  readonly entry: KvEntry;
}

/** The keys added, updated (ModifyIndex moved) and deleted from `before` to `after` (pure). */
export function diffSnapshots(
  before: ReadonlyMap<string, KvEntry>,
  after: ReadonlyMap<string, KvEntry>,
): KvChange[] {
  const changes: KvChange[] = [];
  for (const [key, entry] of after) {
    const previous = before.get(key);
    if (previous === undefined) changes.push({ type: 'added', key, entry });
    else if (previous.modifyIndex !== entry.modifyIndex) changes.push({ type: 'updated', key, entry });
  }
  for (const [key, entry] of before) {
    if (!after.has(key)) changes.push({ type: 'deleted', key, entry });
  }
  return changes;
}
