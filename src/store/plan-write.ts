import type { BatonRecord } from '../api/kinds.js';
import { CasConflictError } from '../consul/errors.js';
import type { TxnOp } from '../consul/txn.js';
import { encodeSpecDocument } from './decode-records.js';
import type { RecordEntry } from './record-entry.js';
import { storedEqual } from './stored-equal.js';

export type WriteAction = 'created' | 'configured' | 'unchanged';

/** One guarded operation that brings a record's spec key to the desired state. */
export interface PlannedWrite {
  readonly action: WriteAction;
  /** `cas` for a change (index 0 creates), `check-index` for an unchanged record: a guard, no write. */
  readonly op: TxnOp;
  /** The generation the record has after the write. */
  readonly generation: number;
}

/**
 * Plan the spec write for `desired` given what is stored (pure). Every op is guarded by the spec key's
 * ModifyIndex, so a concurrent writer makes the transaction fail instead of being overwritten. A
 * `metadata.resourceVersion` in `desired` must match the stored one (optimistic locking, like kubectl
 * replace); left empty, the record read just before is the guard. `generation` goes up by one when the spec
 * changes (labels and annotations alone do not count), and starts at 1.
 */
export function planSpecWrite(
  specKey: string,
  desired: BatonRecord,
  current: RecordEntry | undefined,
): PlannedWrite {
  const wanted = desired.metadata.resourceVersion;
  const currentIndex = current?.specIndex ?? 0;
  if (wanted !== '' && Number(wanted) !== currentIndex) throw new CasConflictError(specKey, Number(wanted));

  if (current === undefined) {
    const record = withGeneration(desired, 1);
    return { action: 'created', generation: 1, op: casOp(specKey, record, 0) };
  }
  if (current.record === undefined) {
    // The stored record is invalid: the manifest repairs it as a spec change.
    const generation = current.generation + 1;
    return {
      action: 'configured',
      generation,
      op: casOp(specKey, withGeneration(desired, generation), currentIndex),
    };
  }
  const stored = current.record;
  const specChanged = !storedEqual(stored.spec, desired.spec);
  const metaChanged =
    !storedEqual(stored.metadata.labels, desired.metadata.labels) ||
    !storedEqual(stored.metadata.annotations, desired.metadata.annotations);
  if (!specChanged && !metaChanged) {
    return {
      action: 'unchanged',
      generation: stored.metadata.generation,
      op: { verb: 'check-index', key: specKey, index: currentIndex },
    };
  }
  const generation = stored.metadata.generation + (specChanged ? 1 : 0);
  return {
    action: 'configured',
    generation,
    op: casOp(specKey, withGeneration(desired, generation), currentIndex),
  };
}

function withGeneration(record: BatonRecord, generation: number): BatonRecord {
  return { ...record, metadata: { ...record.metadata, generation } };
}

function casOp(key: string, record: BatonRecord, index: number): TxnOp {
  return { verb: 'cas', key, value: encodeSpecDocument(record), index };
}
