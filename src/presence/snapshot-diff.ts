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
  /**
   * Departure records nothing will report: one of an incarnation never seen live written by an older Baton
   * (without the registration it ends, there is no event to make), or one beside a live key.
   */
  readonly staleDepartures: readonly Versioned<unknown>[];
}

/**
 * Compare what the watcher knew (its `known` records) with what is present now. Pure: the snapshot is
 * the whole input, so a watcher that restarts recomputes the same answer (level-triggered). An incarnation
 * neither live nor known ended while no watcher looked: one that left an incarnation record is reported
 * ended, one that departed cleanly (its departure record carries its registration) is reported registered
 * then departed. A cell's events come in the order they happened: the known incarnation's end, the unseen
 * incarnations (by the index of the record they left), then the live incarnation's registration.
 */
export function diffSnapshot(snapshot: PresenceSnapshot): PresenceDiff {
  const ids = [
    ...new Set([
      ...snapshot.known.keys(),
      ...snapshot.cells.keys(),
      ...snapshot.incarnations.keys(),
      ...snapshot.departures.keys(),
    ]),
  ].sort();
  const changes = ids.flatMap((id) => diffCell(snapshot, id));
  const consumed = new Set(changes.flatMap((change) => change.consumedRecords.map((r) => r.key)));
  const staleDepartures: Versioned<unknown>[] = [];
  for (const [id, byIncarnation] of snapshot.departures) {
    const knownIncarnation = snapshot.known.get(id)?.value.registration.incarnation;
    for (const [incarnation, departure] of byIncarnation) {
      if (!consumed.has(departure.key) && incarnation !== knownIncarnation) staleDepartures.push(departure);
    }
  }
  return { changes, staleDepartures };
}

/** One cell id's changes, in the order their events must be logged. */
function diffCell(snapshot: PresenceSnapshot, id: string): CellChange[] {
  const known = snapshot.known.get(id);
  const cell = snapshot.cells.get(id);
  const departures = snapshot.departures.get(id);
  const incarnations = snapshot.incarnations.get(id);
  const previous = known?.value.registration;
  const current = cell?.value;
  const guards = { cellId: id, knownIndex: known?.modifyIndex, cellIndex: cell?.modifyIndex };
  const unseen = unseenIncarnations(snapshot, id, [previous?.incarnation, current?.incarnation]).map(
    (u): CellChange => ({ ...guards, ...u, nextKnown: undefined, keepsKnown: true }),
  );
  const consumedRecords: Versioned<unknown>[] = [];
  let end: PresenceTransition | undefined;
  if (previous !== undefined && previous.incarnation !== current?.incarnation) {
    const ending = ended(previous, departures, current);
    const record = incarnations?.get(previous.incarnation);
    consumedRecords.push(...ending.records, ...(record === undefined ? [] : [record]));
    end = ending.transition;
  }
  let begin: PresenceTransition | undefined;
  if (current !== undefined && previous?.incarnation !== current.incarnation) {
    begin = transition({ type: 'CellRegistered', reason: 'Registered' }, current);
  } else if (current !== undefined && previous !== undefined && !sameRegistration(previous, current)) {
    begin = transition({ type: 'CellUpdated', reason: 'RegistrationChanged' }, current);
  }
  const main = { ...guards, nextKnown: current, keepsKnown: false, consumedRecords };
  if (end === undefined || unseen.length === 0) {
    const transitions = [end, begin].filter((t) => t !== undefined);
    return transitions.length === 0 ? unseen : [...unseen, { ...main, transitions }];
  }
  // Unseen incarnations came after the known one ended: its end (forgetting it) goes first, then theirs,
  // then the live one's registration (remembering it, the known record being gone by then).
  return [
    { ...main, transitions: [end], nextKnown: undefined },
    ...unseen,
    ...(begin === undefined
      ? []
      : [{ ...main, transitions: [begin], knownIndex: undefined, consumedRecords: [] }]),
  ];
}

/**
 * The incarnations of `id` that are neither live nor known (`skip`), oldest first: each record's
 * ModifyIndex orders them, since one cell id's incarnations never overlap (an incarnation record is
 * written while it lives, a departure record as it ends).
 */
function unseenIncarnations(
  snapshot: PresenceSnapshot,
  id: string,
  skip: readonly (string | undefined)[],
): { transitions: PresenceTransition[]; consumedRecords: Versioned<unknown>[] }[] {
  const departures = snapshot.departures.get(id);
  const incarnations = snapshot.incarnations.get(id);
  const current = snapshot.cells.get(id)?.value;
  const found: { index: number; transitions: PresenceTransition[]; consumedRecords: Versioned<unknown>[] }[] =
    [];
  for (const [incarnation, record] of incarnations ?? []) {
    if (skip.includes(incarnation)) continue;
    const end = ended(record.value, departures, current);
    found.push({
      index: record.modifyIndex,
      transitions: [end.transition],
      consumedRecords: [record, ...end.records],
    });
  }
  for (const [incarnation, departure] of departures ?? []) {
    const registration = departure.value.registration;
    if (skip.includes(incarnation) || incarnations?.has(incarnation) === true || registration === undefined)
      continue;
    const transitions = [
      transition({ type: 'CellRegistered', reason: 'Registered' }, registration),
      transition({ type: 'CellDeparted', reason: 'DepartureRecorded' }, registration),
    ];
    found.push({ index: departure.modifyIndex, transitions, consumedRecords: [departure] });
  }
  return found
    .sort((a, b) => a.index - b.index)
    .map(({ transitions, consumedRecords }) => ({ transitions, consumedRecords }));
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
