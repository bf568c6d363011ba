import type { z } from 'zod';
import { setCondition } from '../api/condition.js';
import { CellSchema, type Cell, type CellStatus } from '../api/cell.js';
import { API_VERSION } from '../api/metadata.js';
import type { ConsulClient } from '../consul/client.js';
import { done, type Reconciler, type Result } from '../runtime/reconciler.js';
import {
  CellOutcomeSchema,
  CellRegistrationSchema,
  type CellOutcome,
  type CellRegistration,
} from '../presence/cell-registration.js';
import type { PresenceKeys } from '../layout/presence-keys.js';
import type { RecordStore } from '../store/record-store.js';
import { statusChanged } from './singleton-plan.js';

export interface CellReconcilerOptions {
  readonly client: ConsulClient;
  readonly store: RecordStore<Cell>;
  readonly presence: PresenceKeys;
  readonly now?: () => Date;
}

/**
 * Mirrors presence into `Cell` records an operator reads with `baton get cells`: spec = the registration
 * the cell wrote, status = phase (Present / Departed / Lost), incarnation, last seen, conditions. Level-
 * triggered: the phase is derived from durable data only (the presence key; else the watcher's `outcomes/`
 * record, written with the CellLost/CellDeparted event), so a controller that starts after a watcher
 * committed an event and died still converges. While the watcher's `known/` record says the cell is live
 * but its key is gone, the end is not decided yet and the status is left alone.
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
    const registration = key === undefined ? undefined : decode(CellRegistrationSchema, key.value);
    const record = registration === undefined ? undefined : cellRecord(registration);
    if (record !== undefined) await store.applySpec(record, signal);
    const entry = await store.get(id, signal);
    if (entry === undefined || entry.error !== undefined) return done;
    const previous = entry.record.status;
    const status =
      registration === undefined
        ? absent(await this.#outcome(id, signal), previous, now)
        : present(registration, previous, now);
    if (status !== undefined && statusChanged(withoutLastSeen(previous), withoutLastSeen(status))) {
      await store.writeStatus(entry, status, signal);
    }
    return done;
  }

  /** How the cell's last incarnation ended, once the watcher has decided (undefined: not decided). */
  async #outcome(id: string, signal: AbortSignal): Promise<CellOutcome | undefined> {
    const { client, presence } = this.#options;
    const read = { consistency: 'consistent', signal } as const;
    const [known, outcome] = await Promise.all([
      client.kv.get(presence.known(id), read),
      client.kv.get(presence.outcome(id), read),
    ]);
    if (known.value !== undefined || outcome.value === undefined) return undefined;
    return decode(CellOutcomeSchema, outcome.value.value);
  }
}

function absent(
  outcome: CellOutcome | undefined,
  previous: CellStatus | undefined,
  now: Date,
): CellStatus | undefined {
  if (outcome === undefined) return undefined;
  const lost = outcome.type === 'CellLost';
  return {
    phase: lost ? 'Lost' : 'Departed',
    incarnation: outcome.incarnation,
    ...(previous?.lastSeen === undefined ? {} : { lastSeen: previous.lastSeen }),
    conditions: setCondition(
      previous?.conditions ?? [],
      {
        type: 'Present',
        status: 'False',
        reason: outcome.reason,
        message: lost
          ? `presence lost (${outcome.reason}) at ${outcome.observedAt}`
          : `departed cleanly at ${outcome.observedAt}`,
      },
      now,
    ),
  };
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

function decode<T>(schema: z.ZodType<T>, value: Buffer): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(value.toString('utf8')));
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
