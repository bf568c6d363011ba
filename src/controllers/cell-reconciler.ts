import { setCondition } from '../api/condition.js';
import { CellSchema, type Cell, type CellStatus } from '../api/cell.js';
import { API_VERSION } from '../api/metadata.js';
import type { ConsulClient } from '../consul/client.js';
import { done, type Reconciler, type Result } from '../runtime/reconciler.js';
import { CellRegistrationSchema, type CellRegistration } from '../presence/cell-registration.js';
import type { PresenceEvent } from '../presence/presence-event.js';
import type { PresenceKeys } from '../presence/presence-keys.js';
import type { RecordStore } from '../store/record-store.js';
import { statusChanged } from './singleton-plan.js';

export interface CellReconcilerOptions {
  readonly client: ConsulClient;
  readonly store: RecordStore<Cell>;
  readonly presence: PresenceKeys;
  /** The latest presence event seen per cell id (Lost or Departed explain a missing presence key). */
  readonly lastEvent: (id: string) => PresenceEvent | undefined;
  readonly now?: () => Date;
}

/**
 * Mirrors presence into `Cell` records an operator reads with `baton get cells`: spec = the registration
 * the cell wrote, status = phase (Present / Departed / Lost), incarnation, last seen, conditions. The
 * events themselves (CellLost and friends) come from the presence watcher; this only keeps records true.
 */
export class CellReconciler implements Reconciler {
  readonly #options: CellReconcilerOptions;

  constructor(options: CellReconcilerOptions) {
    this.#options = options;
  }

  async reconcile(id: string, signal: AbortSignal): Promise<Result> {
    const { client, store, presence } = this.#options;
    const now = (this.#options.now ?? (() => new Date()))();
    const { value: key } = await client.kv.get(presence.cell(id), { consistency: 'consistent', signal });
    const registration = key === undefined ? undefined : decodeRegistration(key.value);
    const record = registration === undefined ? undefined : cellRecord(registration);
    if (record !== undefined) await store.applySpec(record, signal);
    const entry = await store.get(id, signal);
    if (entry === undefined || entry.error !== undefined) return done;
    const previous = entry.record.status;
    const status =
      registration === undefined ? this.#absent(id, previous, now) : present(registration, previous, now);
    if (status !== undefined && statusChanged(withoutLastSeen(previous), withoutLastSeen(status))) {
      await store.writeStatus(entry, status, signal);
    }
    return done;
  }

  #absent(id: string, previous: CellStatus | undefined, now: Date): CellStatus | undefined {
    const event = this.#options.lastEvent(id);
    if (event === undefined || (event.type !== 'CellLost' && event.type !== 'CellDeparted')) return undefined;
    const lost = event.type === 'CellLost';
    return {
      phase: lost ? 'Lost' : 'Departed',
      incarnation: event.incarnation,
      ...(previous?.lastSeen === undefined ? {} : { lastSeen: previous.lastSeen }),
      conditions: setCondition(
        previous?.conditions ?? [],
        {
          type: 'Present',
          status: 'False',
          reason: event.reason,
          message: lost
            ? `presence lost (${event.reason}) at ${event.observedAt}`
            : `departed cleanly at ${event.observedAt}`,
        },
        now,
      ),
    };
  }
}

function present(registration: CellRegistration, previous: CellStatus | undefined, now: Date): CellStatus {
  return {
    phase: 'Present',
    incarnation: registration.incarnation,
    lastSeen: now.toISOString(),
    conditions: setCondition(
      previous?.conditions ?? [],
      {
        type: 'Present',
        status: 'True',
        reason: 'Registered',
        message: `registered since ${registration.startedAt}`,
      },
      now,
    ),
  };
}

/** The Cell record for a registration, or undefined when the cell id cannot name a record. */
function cellRecord(registration: CellRegistration): Cell | undefined {
  const { id, address, zone, capacity, labels } = registration;
  const parsed = CellSchema.safeParse({
    apiVersion: API_VERSION,
    kind: 'Cell',
    metadata: { name: id },
    spec: { id, address, zone, capacity, labels },
  });
  return parsed.success ? parsed.data : undefined;
}

function decodeRegistration(value: Buffer): CellRegistration | undefined {
  try {
    const parsed = CellRegistrationSchema.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** lastSeen alone changing is not worth a write (it would rewrite every cell on every resync). */
function withoutLastSeen(status: CellStatus | undefined): unknown {
  if (status === undefined) return null;
  const { lastSeen: _lastSeen, ...rest } = status;
  return rest;
}
