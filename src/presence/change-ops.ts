import type { TxnOp } from '../consul/txn.js';
import type { EventInput } from '../events/event.js';
import type { PresenceEvent } from './presence-event.js';
import type { CellOutcome, KnownCell } from './cell-registration.js';
import type { PresenceKeys } from '../layout/presence-keys.js';
import type { CellChange } from './snapshot-diff.js';
import type { Versioned } from './presence-snapshot.js';

/**
 * The writes that make one change durable, guarded so they apply only if the snapshot still holds: the
 * presence key is as read (absent, or at the ModifyIndex read) and the known record is as read. A
 * concurrent change rolls the whole transaction back and the watcher decides again from a fresh read.
 */
export function changeOps(keys: PresenceKeys, change: CellChange, observedAt: string): TxnOp[] {
  const cellKey = keys.cell(change.cellId);
  const knownKey = keys.known(change.cellId);
  const ops: TxnOp[] = [
    change.cellIndex === undefined
      ? { verb: 'check-not-exists', key: cellKey }
      : { verb: 'check-index', key: cellKey, index: change.cellIndex },
  ];
  // An incarnation the watcher never saw live leaves the known record (another incarnation) as it is.
  if (!change.keepsKnown && change.nextKnown !== undefined) {
    const known: KnownCell = { registration: change.nextKnown, observedAt };
    ops.push({ verb: 'cas', key: knownKey, value: JSON.stringify(known), index: change.knownIndex ?? 0 });
  } else if (!change.keepsKnown && change.knownIndex !== undefined) {
    ops.push(...guardedDelete(knownKey, change.knownIndex));
  }
  for (const record of change.consumedRecords) ops.push(...guardedDelete(record.key, record.modifyIndex));
  for (const t of change.transitions) {
    if (t.type !== 'CellLost' && t.type !== 'CellDeparted') continue;
    const outcome: CellOutcome = { incarnation: t.incarnation, type: t.type, reason: t.reason, observedAt };
    ops.push({ verb: 'set', key: keys.outcome(change.cellId), value: JSON.stringify(outcome) });
  }
  return ops;
}

/**
 * Delete `key` only if it is still at `index`. `delete-cas` alone is no guard: Consul accepts it for a key
 * that is already gone, so a second watcher that read the same snapshot would commit the event again.
 */
function guardedDelete(key: string, index: number): TxnOp[] {
  return [
    { verb: 'check-index', key, index },
    { verb: 'delete', key },
  ];
}

/** Deletes of departure records nothing reports, each only if it is still at the index read. */
export function staleDepartureOps(stale: readonly Versioned<unknown>[]): TxnOp[] {
  return stale.map((d) => ({ verb: 'delete-cas', key: d.key, index: d.modifyIndex }));
}

/** The events one change reports, in order. */
export function changeEvents(change: CellChange, observedAt: string): EventInput<PresenceEvent>[] {
  return change.transitions.map(({ cellId, incarnation, registration, ...kind }) => ({
    ...kind,
    subject: cellId,
    incarnation,
    observedAt,
    data: { registration },
  }));
}
