import { sameRegistration, type CellRegistration } from './cell-registration.js';
import type { PresenceEvent } from './presence-event.js';

export type { PresenceEventType, PresenceReason } from './presence-event.js';
import type { PresenceSnapshot, Versioned } from './presence-snapshot.js';

/** A presence event's `type` with a `reason` that type may carry. */
export type PresenceKind = PresenceEvent extends infer E
  ? E extends PresenceEvent
    ? { readonly type: E['type']; readonly reason: E['reason'] }
    : never
  : never;

export type PresenceTransition = PresenceKind & {
  readonly cellId: string;
  readonly incarnation: string;
  /** The registration the event is about (the old one for Lost/Departed). */
  readonly registration: CellRegistration;
};

/**
 * Everything that changes for one cell id: its events, in order, and what the watcher must write so
 * the next snapshot agrees. The guards make the commit conditional on the snapshot still being true.
 */
export interface CellChange {
  readonly cellId: string;
  readonly transitions: readonly PresenceTransition[];
  /** The registration to remember as known, or undefined to forget the cell. */
  readonly nextKnown: CellRegistration | undefined;
  /** True for an incarnation the watcher never saw live: the known record is not this change's to write. */
  readonly keepsKnown: boolean;
  /** ModifyIndex of the known record read (undefined: there was none). */
  readonly knownIndex: number | undefined;
  /** ModifyIndex of the presence key read (undefined: the key was absent). */
  readonly cellIndex: number | undefined;
  /** Departure and incarnation records this change consumed, to delete. */
  readonly consumedRecords: readonly Versioned<unknown>[];
}

export interface PresenceDiff {
  readonly changes: readonly CellChange[];
  /** Departure records no known incarnation needs (a cell that came and went unobserved). */
  readonly staleDepartures: readonly Versioned<unknown>[];
}

/**
 * Compare what the watcher knew (its `known` records) with what is present now. Pure: the snapshot is
 * the whole input, so a watcher that restarts recomputes the same answer (level-triggered). An incarnation
 * record whose incarnation is neither live nor known ended while no watcher looked: it is reported too.
 */
export function diffSnapshot(snapshot: PresenceSnapshot): PresenceDiff {
  const ids = [
    ...new Set([...snapshot.known.keys(), ...snapshot.cells.keys(), ...snapshot.incarnations.keys()]),
  ].sort();
  const changes: CellChange[] = [];
  const consumed = new Set<string>();
  for (const id of ids) {
    const known = snapshot.known.get(id);
    const cell = snapshot.cells.get(id);
    const departures = snapshot.departures.get(id);
    const incarnations = snapshot.incarnations.get(id);
    const previous = known?.value.registration;
    const current = cell?.value;
    for (const [incarnation, record] of incarnations ?? []) {
      if (incarnation === current?.incarnation || incarnation === previous?.incarnation) continue;
      const end = ended(record.value, departures, current);
      const consumedRecords = [record, ...end.records];
      for (const r of consumedRecords) consumed.add(r.key);
      changes.push({
        cellId: id,
        transitions: [end.transition],
        nextKnown: undefined,
        keepsKnown: true,
        knownIndex: known?.modifyIndex,
        cellIndex: cell?.modifyIndex,
        consumedRecords,
      });
    }
    const transitions: PresenceTransition[] = [];
    const consumedRecords: Versioned<unknown>[] = [];
    if (previous !== undefined && previous.incarnation !== current?.incarnation) {
      const end = ended(previous, departures, current);
      const record = incarnations?.get(previous.incarnation);
      consumedRecords.push(...end.records, ...(record === undefined ? [] : [record]));
      for (const r of consumedRecords) consumed.add(r.key);
      transitions.push(end.transition);
    }
    if (current !== undefined) {
      if (previous?.incarnation !== current.incarnation) {
        transitions.push(transition({ type: 'CellRegistered', reason: 'Registered' }, current));
      } else if (!sameRegistration(previous, current)) {
        transitions.push(transition({ type: 'CellUpdated', reason: 'RegistrationChanged' }, current));
      }
    }
    if (transitions.length === 0) continue;
    changes.push({
      cellId: id,
      transitions,
      nextKnown: current,
      keepsKnown: false,
      knownIndex: known?.modifyIndex,
      cellIndex: cell?.modifyIndex,
      consumedRecords,
    });
  }
  const staleDepartures: Versioned<unknown>[] = [];
  for (const [id, byIncarnation] of snapshot.departures) {
    const knownIncarnation = snapshot.known.get(id)?.value.registration.incarnation;
    for (const [incarnation, departure] of byIncarnation) {
      if (!consumed.has(departure.key) && incarnation !== knownIncarnation) staleDepartures.push(departure);
    }
  }
  return { changes, staleDepartures };
}

/** How an incarnation that is no longer live ended: departed if it left a record (consumed), else lost. */
function ended(
  registration: CellRegistration,
  departures: ReadonlyMap<string, Versioned<unknown>> | undefined,
  current: CellRegistration | undefined,
): { transition: PresenceTransition; records: Versioned<unknown>[] } {
  const departure = departures?.get(registration.incarnation);
  if (departure !== undefined)
    return {
      transition: transition({ type: 'CellDeparted', reason: 'DepartureRecorded' }, registration),
      records: [departure],
    };
  const reason = current === undefined ? 'SessionInvalidated' : 'Reincarnated';
  return { transition: transition({ type: 'CellLost', reason }, registration), records: [] };
}

/** Whether acting on this diff would report a loss (the watcher confirms those with a consistent read). */
export function reportsLoss(diff: PresenceDiff): boolean {
  return diff.changes.some((change) => change.transitions.some((t) => t.type === 'CellLost'));
}

function transition(kind: PresenceKind, registration: CellRegistration): PresenceTransition {
  return { ...kind, cellId: registration.id, incarnation: registration.incarnation, registration };
}
