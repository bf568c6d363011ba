import type { Cell } from '../../api/cell.js';
import { findCondition } from '../../api/condition.js';
import type { BatonRecord } from '../../api/kinds.js';
import { resolveTiming, type Singleton } from '../../api/singleton.js';
import type { RecordEntry } from '../../store/record-entry.js';
import { formatDurationMs } from '../../time/duration.js';
import { formatAge, formatMap, orNone } from './table.js';

/** The columns `baton get` prints for one kind, narrow and `-o wide`. */
export interface RecordColumns {
  readonly headers: (wide: boolean) => string[];
  readonly row: (entry: RecordEntry, wide: boolean, now: Date) => string[];
}

/** One word for the state of a singleton, most important first. */
export function singletonPhase(record: Singleton): string {
  if (findCondition(record.status?.conditions ?? [], 'Invalid')?.status === 'True') return 'Invalid';
  if (record.spec.paused) return 'Paused';
  if (record.status === undefined) return 'Pending';
  return record.status.holder === undefined ? 'Unheld' : 'Held';
}

const SINGLETON: RecordColumns = {
  headers: (wide) => [
    'NAME',
    'STATUS',
    'HOLDER',
    'TOKEN',
    'TRANSITIONS',
    'SINCE',
    'STATUS-AGE',
    ...(wide ? ['PREFERRED', 'GENERATION', 'CANDIDATES', 'TIMING'] : []),
  ],
  row: (entry, wide, now) => {
    const record = entry.record as Singleton | undefined;
    if (record === undefined) return invalidRow(entry, wide ? 10 : 6);
    const status = record.status;
    const timing = resolveTiming(record.spec.timing);
    return [
      record.metadata.name,
      singletonPhase(record),
      status?.holder ?? '<none>',
      status?.fencingToken === undefined ? '<none>' : String(status.fencingToken),
      String(status?.transitions ?? 0),
      status?.since === undefined ? '<none>' : formatAge(status.since, now),
      formatAge(statusChangedAt(record), now),
      ...(wide
        ? [
            record.spec.preferredHolder ?? '<none>',
            `${record.metadata.generation}/${status?.observedGeneration ?? 0}`,
            (record.spec.candidates?.identities ?? ['<any>']).join(','),
            `ttl=${formatDurationMs(timing.checkTtlMs)},delay=${formatDurationMs(timing.lockDelayMs)}`,
          ]
        : []),
    ];
  },
};

const CELL: RecordColumns = {
  headers: (wide) => [
    'NAME',
    'PHASE',
    'ADDRESS',
    'ZONE',
    'INCARNATION',
    'LAST-SEEN',
    'STATUS-AGE',
    ...(wide ? ['ID', 'CAPACITY', 'LABELS'] : []),
  ],
  row: (entry, wide, now) => {
    const record = entry.record as Cell | undefined;
    if (record === undefined) return invalidRow(entry, wide ? 9 : 6);
    const status = record.status;
    return [
      record.metadata.name,
      status?.phase ?? 'Pending',
      record.spec.address,
      record.spec.zone ?? '<none>',
      orNone(status?.incarnation),
      formatAge(status?.lastSeen, now),
      formatAge(statusChangedAt(record), now),
      ...(wide ? [record.spec.id, formatMap(record.spec.capacity), formatMap(record.spec.labels)] : []),
    ];
  },
};

/**
 * When the controller last changed a record's status: the newest time it holds (a condition's
 * lastTransitionTime, the holder's `since`, a cell's `lastSeen`). Status carries no write time of its own,
 * and the controller writes status only when it changes, so this is the age of the newest status fact;
 * undefined while no status was written.
 */
export function statusChangedAt(record: BatonRecord): string | undefined {
  const status = record.status;
  if (status === undefined) return undefined;
  const times = [
    ...status.conditions.map((condition) => condition.lastTransitionTime),
    ...('since' in status && status.since !== undefined ? [status.since] : []),
    ...('lastSeen' in status && status.lastSeen !== undefined ? [status.lastSeen] : []),
  ];
  return times.reduce<string | undefined>(
    (newest, time) => (newest === undefined || Date.parse(time) > Date.parse(newest) ? time : newest),
    undefined,
  );
}

export function columnsFor(kind: BatonRecord['kind']): RecordColumns {
  return kind === 'Singleton' ? SINGLETON : CELL;
}

function invalidRow(entry: RecordEntry, blanks: number): string[] {
  return [entry.name, 'Invalid', ...Array.from({ length: blanks - 1 }, () => '<invalid>')];
}
