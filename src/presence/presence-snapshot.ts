import { parseKvJson, type KvEntry } from '../consul/wire.js';
import {
  MAX_REGISTRATION_BYTES,
  CellRegistrationSchema,
  DepartureRecordSchema,
  KnownCellSchema,
  type CellRegistration,
  type DepartureRecord,
  type KnownCell,
} from './cell-registration.js';
import type { PresenceKeys } from '../layout/presence-keys.js';

export interface Versioned<T> {
  readonly value: T;
  readonly key: string;
  /** KV ModifyIndex: the guard for check-index / cas / delete-cas. */
  readonly modifyIndex: number;
}

/** One atomic read of the presence prefix, decoded. */
export interface PresenceSnapshot {
  readonly cells: ReadonlyMap<string, Versioned<CellRegistration>>;
  /** By cell id, then incarnation. */
  readonly departures: ReadonlyMap<string, ReadonlyMap<string, Versioned<DepartureRecord>>>;
  readonly known: ReadonlyMap<string, Versioned<KnownCell>>;
  /** Incarnation records by cell id, then incarnation: every incarnation not yet reported ended. */
  readonly incarnations: ReadonlyMap<string, ReadonlyMap<string, Versioned<CellRegistration>>>;
  /** Keys under the prefix that did not decode (logged, never acted on). */
  readonly invalid: readonly string[];
}

/** One listed entry, decoded: which record it is and its value, or `invalid`; undefined: not presence's. */
type Decoded =
  | { readonly kind: 'cell'; readonly id: string; readonly value: CellRegistration }
  | {
      readonly kind: 'incarnation';
      readonly id: string;
      readonly incarnation: string;
      readonly value: CellRegistration;
    }
  | { readonly kind: 'known'; readonly id: string; readonly value: KnownCell }
  | {
      readonly kind: 'departure';
      readonly id: string;
      readonly incarnation: string;
      readonly value: DepartureRecord;
    }
  | 'invalid'
  | undefined;

/**
 * Decoded entries by key, valid while the entry's ModifyIndex is unchanged: a watcher that lists a shard
 * on every change decodes (JSON and schema) only what changed since its previous listing.
 */
export class SnapshotDecodeCache {
  readonly #entries = new Map<string, { readonly modifyIndex: number; readonly decoded: Decoded }>();

  decode(keys: PresenceKeys, entry: KvEntry): Decoded {
    const hit = this.#entries.get(entry.key);
    if (hit?.modifyIndex === entry.modifyIndex) return hit.decoded;
    const decoded = decodeEntry(keys, entry);
    this.#entries.set(entry.key, { modifyIndex: entry.modifyIndex, decoded });
    return decoded;
  }

  /** Forget keys no longer listed (call with the whole listing the cache serves). */
  retainOnly(entries: readonly KvEntry[]): void {
    if (this.#entries.size <= entries.length) return;
    const listed = new Set(entries.map((entry) => entry.key));
    for (const key of this.#entries.keys()) if (!listed.has(key)) this.#entries.delete(key);
  }
}

/**
 * Decode a KV listing of presence keys (one shard, or all). A record whose id disagrees with its key is
 * invalid, and so is one over the registration size limit (written around `Cell`): acting on it could
 * stall every commit. With a `cache`, entries whose ModifyIndex it has seen are not decoded again.
 */
export function decodeSnapshot(
  keys: PresenceKeys,
  entries: readonly KvEntry[],
  cache?: SnapshotDecodeCache,
): PresenceSnapshot {
  const cells = new Map<string, Versioned<CellRegistration>>();
  const departures = new Map<string, Map<string, Versioned<DepartureRecord>>>();
  const known = new Map<string, Versioned<KnownCell>>();
  const incarnations = new Map<string, Map<string, Versioned<CellRegistration>>>();
  const invalid: string[] = [];
  for (const entry of entries) {
    const decoded = cache === undefined ? decodeEntry(keys, entry) : cache.decode(keys, entry);
    if (decoded === undefined) continue;
    if (decoded === 'invalid') {
      invalid.push(entry.key);
      continue;
    }
    const versioned = <T>(value: T): Versioned<T> => ({
      value,
      key: entry.key,
      modifyIndex: entry.modifyIndex,
    });
    if (decoded.kind === 'cell') cells.set(decoded.id, versioned(decoded.value));
    else if (decoded.kind === 'known') known.set(decoded.id, versioned(decoded.value));
    else if (decoded.kind === 'incarnation')
      nested(incarnations, decoded.id).set(decoded.incarnation, versioned(decoded.value));
    else nested(departures, decoded.id).set(decoded.incarnation, versioned(decoded.value));
  }
  cache?.retainOnly(entries);
  return { cells, departures, known, incarnations, invalid };
}

function decodeEntry(keys: PresenceKeys, entry: KvEntry): Decoded {
  const where = keys.classify(entry.key);
  if (where === undefined || where.kind === 'outcome') return undefined;
  // Cells write registrations (and their incarnation records); the watcher's records add a few fields.
  const limit = where.kind === 'cell' || where.kind === 'incarnation' ? 1 : 2;
  if (entry.value.length > MAX_REGISTRATION_BYTES * limit) return 'invalid';
  const json = parseKvJson(entry.value);
  if (where.kind === 'cell') {
    const parsed = CellRegistrationSchema.safeParse(json);
    return parsed.success && parsed.data.id === where.id
      ? { kind: 'cell', id: where.id, value: parsed.data }
      : 'invalid';
  }
  if (where.kind === 'incarnation') {
    const parsed = CellRegistrationSchema.safeParse(json);
    return parsed.success && parsed.data.id === where.id && parsed.data.incarnation === where.incarnation
      ? { kind: 'incarnation', id: where.id, incarnation: where.incarnation, value: parsed.data }
      : 'invalid';
  }
  if (where.kind === 'known') {
    const parsed = KnownCellSchema.safeParse(json);
    return parsed.success && parsed.data.registration.id === where.id
      ? { kind: 'known', id: where.id, value: parsed.data }
      : 'invalid';
  }
  const parsed = DepartureRecordSchema.safeParse(json);
  const ended = parsed.data?.registration;
  return parsed.success &&
    parsed.data.id === where.id &&
    parsed.data.incarnation === where.incarnation &&
    (ended === undefined || (ended.id === where.id && ended.incarnation === where.incarnation))
    ? { kind: 'departure', id: where.id, incarnation: where.incarnation, value: parsed.data }
    : 'invalid';
}

function nested<T>(byId: Map<string, Map<string, T>>, id: string): Map<string, T> {
  const inner = byId.get(id) ?? new Map<string, T>();
  byId.set(id, inner);
  return inner;
}
