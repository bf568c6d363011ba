import type { KvEntry } from '../consul/wire.js';
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

/**
 * Decode a KV listing of the presence prefix. A record whose id disagrees with its key is invalid, and so
 * is one over the registration size limit (written around `Cell`): acting on it could stall every commit.
 */
export function decodeSnapshot(keys: PresenceKeys, entries: readonly KvEntry[]): PresenceSnapshot {
  const cells = new Map<string, Versioned<CellRegistration>>();
  const departures = new Map<string, Map<string, Versioned<DepartureRecord>>>();
  const known = new Map<string, Versioned<KnownCell>>();
  const incarnations = new Map<string, Map<string, Versioned<CellRegistration>>>();
  const invalid: string[] = [];
  for (const entry of entries) {
    const where = keys.classify(entry.key);
    if (where === undefined || where.kind === 'outcome') continue;
    // Cells write registrations (and their incarnation records); the watcher's records add a few fields.
    const limit = where.kind === 'cell' || where.kind === 'incarnation' ? 1 : 2;
    if (entry.value.length > MAX_REGISTRATION_BYTES * limit) {
      invalid.push(entry.key);
      continue;
    }
    const json = parseJson(entry.value);
    const versioned = <T>(value: T): Versioned<T> => ({
      value,
      key: entry.key,
      modifyIndex: entry.modifyIndex,
    });
    if (where.kind === 'cell') {
      const parsed = CellRegistrationSchema.safeParse(json);
      if (parsed.success && parsed.data.id === where.id) cells.set(where.id, versioned(parsed.data));
      else invalid.push(entry.key);
    } else if (where.kind === 'incarnation') {
      const parsed = CellRegistrationSchema.safeParse(json);
      if (parsed.success && parsed.data.id === where.id && parsed.data.incarnation === where.incarnation)
        nested(incarnations, where.id).set(where.incarnation, versioned(parsed.data));
      else invalid.push(entry.key);
    } else if (where.kind === 'known') {
      const parsed = KnownCellSchema.safeParse(json);
      if (parsed.success && parsed.data.registration.id === where.id)
        known.set(where.id, versioned(parsed.data));
      else invalid.push(entry.key);
    } else {
      const parsed = DepartureRecordSchema.safeParse(json);
      if (parsed.success && parsed.data.id === where.id && parsed.data.incarnation === where.incarnation)
        nested(departures, where.id).set(where.incarnation, versioned(parsed.data));
      else invalid.push(entry.key);
    }
  }
  return { cells, departures, known, incarnations, invalid };
}

function nested<T>(byId: Map<string, Map<string, T>>, id: string): Map<string, T> {
  const inner = byId.get(id) ?? new Map<string, T>();
  byId.set(id, inner);
  return inner;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
