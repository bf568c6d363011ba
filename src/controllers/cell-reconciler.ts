import type { z } from 'zod';
import { setCondition } from '../api/condition.js';
import { CellSchema, type Cell, type CellStatus } from '../api/cell.js';
import { API_VERSION } from '../api/metadata.js';
import type { ConsulClient } from '../consul/client.js';
import { TxnRollbackError } from '../consul/errors.js';
import { done, requeueAfter, type Reconciler, type Result } from '../runtime/reconciler.js';
import {
  CellOutcomeSchema,
  CellRegistrationSchema,
  type CellOutcome,
  type CellRegistration,
} from '../presence/cell-registration.js';
import type { PresenceKeys } from '../layout/presence-keys.js';
import type { RecordStore } from '../store/record-store.js';
import { statusChanged } from './status-compare.js';
import { CONTROLLER_DEFAULTS } from './defaults.js';

export interface CellReconcilerOptions {
  readonly client: ConsulClient;
  readonly store: RecordStore<Cell>;
  readonly presence: PresenceKeys;
  /**
   * How long a Lost or Departed Cell record is kept after its cell ended (from the watcher's durable
   * `outcomes/` record); then the record and that outcome are deleted. @default CONTROLLER_DEFAULTS.cellRetentionMs
   */
  readonly retentionMs?: number;
  readonly now?: () => Date;
}

/**
 * Mirrors presence into `Cell` records an operator reads with `baton get cells`: spec = the registration
 * the cell wrote, status = phase (Present / Departed / Lost), incarnation, last seen, conditions. Level-
 * triggered: the phase is derived from durable data only (the presence key; else the watcher's `outcomes/`
 * record, written with the CellLost/CellDeparted event), so a controller that starts after a watcher
 * committed an event and died still converges. While the watcher's `known/` record says the cell is live
 * but its key is gone, the end is not decided yet and the status is left alone.
 *
 * Retention: a cell that ended more than `retentionMs` ago (by the outcome's `observedAt`, a durable time,
 * so a new active controller decides the same) has its record and outcome deleted in one transaction,
 * guarded so that a cell registering again, or a new outcome, keeps them.
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
    const ended = registration === undefined ? await this.#outcome(id, signal) : undefined;
    const status =
      registration === undefined
        ? absent(ended?.outcome, previous, now)
        : present(registration, previous, now);
    if (status !== undefined && statusChanged(withoutLastSeen(previous), withoutLastSeen(status))) {
      await store.writeStatus(entry, status, signal);
    }
    if (ended === undefined) return done;
    const retentionMs = this.#options.retentionMs ?? CONTROLLER_DEFAULTS.cellRetentionMs;
    const leftMs = Date.parse(ended.outcome.observedAt) + retentionMs - now.getTime();
    if (leftMs > 0) return requeueAfter(leftMs);
    await this.#forget(id, entry.specIndex, ended.index, signal);
    return done;
  }

  /** How the cell's last incarnation ended, once the watcher has decided (undefined: not decided). */
  async #outcome(
    id: string,
    signal: AbortSignal,
  ): Promise<{ outcome: CellOutcome; index: number } | undefined> {
    const { client, presence } = this.#options;
    const read = { consistency: 'consistent', signal } as const;
    const [known, outcome] = await Promise.all([
      client.kv.get(presence.known(id), read),
      client.kv.get(presence.outcome(id), read),
    ]);
    if (known.value !== undefined || outcome.value === undefined) return undefined;
    const decoded = decode(CellOutcomeSchema, outcome.value.value);
    return decoded === undefined ? undefined : { outcome: decoded, index: outcome.value.modifyIndex };
  }

  /**
   * Delete an ended cell's record and outcome, all or nothing: only if the record's spec and the outcome are
   * still those read and the cell has not registered again (else the next reconcile decides afresh).
   */
  async #forget(id: string, specIndex: number, outcomeIndex: number, signal: AbortSignal): Promise<void> {
    const { client, store, presence } = this.#options;
    try {
      await client.txn.run(
        [
          { verb: 'check-index', key: store.keys.spec(id), index: specIndex },
          { verb: 'check-not-exists', key: presence.cell(id) },
          { verb: 'delete-cas', key: presence.outcome(id), index: outcomeIndex },
          { verb: 'delete-tree', key: store.keys.recordPrefix(id) },
        ],
        signal,
      );
    } catch (error: unknown) {
      if (!(error instanceof TxnRollbackError)) throw error;
    }
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
