import type { BatonRecord } from '../api/kinds.js';

/** Why a stored record could not be decoded: the field (as `spec.timing.lockDelay`) and the reason. */
export interface RecordError {
  readonly path: string;
  readonly message: string;
}

interface EntryIndexes {
  readonly name: string;
  /** ModifyIndex of the spec key: the CAS guard for spec writes (also `metadata.resourceVersion`). */
  readonly specIndex: number;
  /** ModifyIndex of the status key, 0 while no status was written: the CAS guard for status writes. */
  readonly statusIndex: number;
}

/** A record that decoded and passed its schema. */
export interface ValidEntry<R extends BatonRecord = BatonRecord> extends EntryIndexes {
  readonly record: R;
  readonly error?: undefined;
}

/**
 * A record that did not (hand-edited KV, an older or newer writer). It is listed, never thrown, so a
 * controller can mark it `Invalid` and go on with the others.
 */
export interface InvalidEntry extends EntryIndexes {
  readonly error: RecordError;
  /** The stored `metadata.generation` when it could still be read, else 0. */
  readonly generation: number;
  readonly record?: undefined;
}

export type RecordEntry<R extends BatonRecord = BatonRecord> = ValidEntry<R> | InvalidEntry;
