import type { Condition } from '../api/condition.js';
import type { ConsulClient } from '../consul/client.js';
import type { BatonEvent } from '../events/event.js';
import { EventLog } from '../events/event-log.js';
import { listLocks, type LockRow } from '../singleton/lock-list.js';
import type { RecordError } from '../store/record-entry.js';
import type { ControllerDaemon } from './controller-daemon.js';

/** How many of each stream's newest events `/status` carries. */
export const RECENT_EVENTS_PER_STREAM = 20;

export interface InvalidRecordStatus {
  readonly name: string;
  /** Why the record could not be decoded. */
  readonly invalid: RecordError;
}

export interface SingletonStatusView {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly holder: string | null;
  readonly fencingToken: number | null;
  /** When the current holder acquired (ISO 8601). */
  readonly since: string | null;
  readonly paused: boolean;
  readonly candidates: readonly string[];
  readonly conditions: readonly Condition[];
}

export interface CellStatusView {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly address: string;
  readonly zone: string | null;
  readonly capacity: Readonly<Record<string, number>>;
  readonly phase: 'Present' | 'Departed' | 'Lost' | 'Unknown';
  readonly incarnation: string | null;
  /** When the controller last saw the cell present (ISO 8601). */
  readonly lastSeen: string | null;
  readonly conditions: readonly Condition[];
}

/** An event with the stream it came from, as `/status` lists the recent ones. */
export type StreamEvent = BatonEvent & { readonly stream: string };

/** What `/status` serves and the status page renders: this replica, the active one, every record's gist. */
export interface StatusSnapshot {
  readonly observedAt: string;
  readonly controller: {
    readonly identity: string;
    readonly state: string;
    readonly active: string | null;
    readonly cachesSynced: boolean;
  };
  readonly singletons: readonly (SingletonStatusView | InvalidRecordStatus)[];
  readonly cells: readonly (CellStatusView | InvalidRecordStatus)[];
  readonly locks: readonly LockRow[];
  /** The newest events of every stream, newest first. */
  readonly events: readonly StreamEvent[];
}

export interface StatusSources {
  readonly client: ConsulClient;
  /** The event streams whose newest events are listed. */
  readonly streams: readonly string[];
  readonly signal?: AbortSignal;
}

export async function statusSnapshot(
  daemon: ControllerDaemon,
  { client, streams, signal }: StatusSources,
): Promise<StatusSnapshot> {
  const { controller, elector } = daemon;
  const [singletons, cells, locks, events] = await Promise.all([
    controller.singletons.list(signal),
    controller.cells.list(signal),
    listLocks(client, controller.layout.locks),
    Promise.all(
      streams.map((stream) =>
        recentEvents(new EventLog({ client, stream, root: controller.layout.root }), signal),
      ),
    ),
  ]);
  return {
    observedAt: new Date().toISOString(),
    controller: {
      identity: elector.identity,
      state: elector.state,
      active: elector.holder?.identity ?? null,
      cachesSynced: controller.synced,
    },
    singletons: singletons.value.map((entry): SingletonStatusView | InvalidRecordStatus =>
      entry.error === undefined
        ? {
            name: entry.name,
            labels: entry.record.metadata.labels,
            holder: entry.record.status?.holder ?? null,
            fencingToken: entry.record.status?.fencingToken ?? null,
            since: entry.record.status?.since ?? null,
            paused: entry.record.spec.paused,
            candidates: entry.record.status?.candidatesSeen ?? [],
            conditions: entry.record.status?.conditions ?? [],
          }
        : { name: entry.name, invalid: entry.error },
    ),
    cells: cells.value.map((entry): CellStatusView | InvalidRecordStatus =>
      entry.error === undefined
        ? {
            name: entry.name,
            // The cell's own labels (its registration) and the record's, the record's winning.
            labels: { ...entry.record.spec.labels, ...entry.record.metadata.labels },
            address: entry.record.spec.address,
            zone: entry.record.spec.zone ?? null,
            capacity: entry.record.spec.capacity ?? {},
            phase: entry.record.status?.phase ?? 'Unknown',
            incarnation: entry.record.status?.incarnation ?? null,
            lastSeen: entry.record.status?.lastSeen ?? null,
            conditions: entry.record.status?.conditions ?? [],
          }
        : { name: entry.name, invalid: entry.error },
    ),
    locks,
    events: events
      .flat()
      .sort((a, b) => Date.parse(b.observedAt) - Date.parse(a.observedAt) || b.seq - a.seq),
  };
}

async function recentEvents(log: EventLog, signal?: AbortSignal): Promise<StreamEvent[]> {
  const head = await log.head(signal);
  const since = Math.max(0, head - RECENT_EVENTS_PER_STREAM);
  const { events } = await log.read(since, RECENT_EVENTS_PER_STREAM, signal);
  return events.map((event) => ({ ...event, stream: log.stream }));
}
