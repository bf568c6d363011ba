import { sameRegistration, type CellRegistration } from './cell-registration.js';
import type { PresenceSnapshot, Versioned } from './presence-snapshot.js';

export type PresenceEventType = 'CellRegistered' | 'CellUpdated' | 'CellDeparted' | 'CellLost';

/** Why a transition happened (CamelCase, like a Kubernetes condition reason). */
export type PresenceReason =
  | 'Registered'
  | 'RegistrationChanged'
  | 'DepartureRecorded'
  /** The presence key vanished without a departure record: the session died (TTL, serfHealth). */
  | 'SessionInvalidated'
  /** A new incarnation replaced the known one without a departure record: crash and restart. */
  | 'Reincarnated';

export interface PresenceTransition {
  readonly type: PresenceEventType;
  readonly cellId: string;
  readonly incarnation: string;
  readonly reason: PresenceReason;
  /** The registration the event is about (the old one for Lost/Departed). */
  readonly registration: CellRegistration;
}

/**
 * Everything that changes for one cell id: its events, in order, and what the watcher must write so
 * the next snapshot agrees. The guards make the commit conditional on the snapshot still being true.
 */
export interface CellChange {
  readonly cellId: string;
  readonly transitions: readonly PresenceTransition[];
  /** The registration to remember as known, or undefined to forget the cell. */
  readonly nextKnown: CellRegistration | undefined;
  /** ModifyIndex of the known record read (undefined: there was none). */
  readonly knownIndex: number | undefined;
  /** ModifyIndex of the presence key read (undefined: the key was absent). */
  readonly cellIndex: number | undefined;
  /** Departure records this change consumed, to delete. */
  readonly consumedDepartures: readonly Versioned<unknown>[];
}

export interface PresenceDiff {
  readonly changes: readonly CellChange[];
  /** Departure records no known incarnation needs (a cell that came and went unobserved). */
  readonly staleDepartures: readonly Versioned<unknown>[];
}

/**
 * Compare what the watcher knew (its `known` records) with what is present now. Pure: the snapshot is
 * the whole input, so a watcher that restarts recomputes the same answer (level-triggered).
 */
export function diffSnapshot(snapshot: PresenceSnapshot): PresenceDiff {
  const ids = [...new Set([...snapshot.known.keys(), ...snapshot.cells.keys()])].sort();
  const changes: CellChange[] = [];
  const consumed = new Set<string>();
  for (const id of ids) {
    const known = snapshot.known.get(id);
    const cell = snapshot.cells.get(id);
    const transitions: PresenceTransition[] = [];
    const consumedDepartures: Versioned<unknown>[] = [];
    const previous = known?.value.registration;
    const current = cell?.value;
    if (previous !== undefined && previous.incarnation !== current?.incarnation) {
      const departure = snapshot.departures.get(id)?.get(previous.incarnation);
      if (departure !== undefined) {
        consumed.add(departure.key);
        consumedDepartures.push(departure);
        transitions.push(transition('CellDeparted', 'DepartureRecorded', previous));
      } else {
        const reason = current === undefined ? 'SessionInvalidated' : 'Reincarnated';
        transitions.push(transition('CellLost', reason, previous));
      }
    }
    if (current !== undefined) {
      if (previous?.incarnation !== current.incarnation) {
        transitions.push(transition('CellRegistered', 'Registered', current));
      } else if (!sameRegistration(previous, current)) {
        transitions.push(transition('CellUpdated', 'RegistrationChanged', current));
      }
    }
    if (transitions.length === 0) continue;
    changes.push({
      cellId: id,
      transitions,
      nextKnown: current,
      knownIndex: known?.modifyIndex,
      cellIndex: cell?.modifyIndex,
      consumedDepartures,
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

/** Whether acting on this diff would report a loss (the watcher confirms those with a consistent read). */
export function reportsLoss(diff: PresenceDiff): boolean {
  return diff.changes.some((change) => change.transitions.some((t) => t.type === 'CellLost'));
}

function transition(
  type: PresenceEventType,
  reason: PresenceReason,
  registration: CellRegistration,
): PresenceTransition {
  return { type, reason, cellId: registration.id, incarnation: registration.incarnation, registration };
}
