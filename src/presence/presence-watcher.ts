import type { ConsulClient } from '../consul/client.js';
import { blockingLoop } from '../consul/blocking.js';
import { TxnRollbackError } from '../consul/errors.js';
import { MAX_TXN_OPS, type TxnOp } from '../consul/txn.js';
import type { KvEntry } from '../consul/wire.js';
import { describeError } from '../errors.js';
import type { EventInput } from '../events/event.js';
import { EventBus } from '../events/event-bus.js';
import { EventLog } from '../events/event-log.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { backoffMs } from '../time/backoff.js';
import { isAborted, systemClock, type Clock } from '../time/clock.js';
import { changeEvents, changeOps } from './change-ops.js';
import type { PresenceEvent } from './presence-event.js';
import { PresenceKeys } from './presence-keys.js';
import { decodeSnapshot } from './presence-snapshot.js';
import { diffSnapshot, reportsLoss, type CellChange, type PresenceDiff } from './snapshot-diff.js';

export type WatcherState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface PresenceWatcherOptions {
  readonly client: ConsulClient;
  readonly keys?: PresenceKeys;
  /** Durable log the events are appended to, atomically with the watcher's known records. */
  readonly eventLog?: EventLog;
  /** Server-side wait of each blocking list. @default 30000 */
  readonly waitMs?: number;
  /** Blocking-loop rate limit: burst, then one list per `refillMs` under churn. @default 3 / 100 */
  readonly burst?: number;
  readonly refillMs?: number;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

/**
 * Turns the presence prefix into CellRegistered / CellUpdated / CellDeparted / CellLost events with one
 * blocking list (not one watch per cell). Each snapshot is diffed against the watcher's own `known/`
 * records, which live in the same prefix; the events and the known-record updates commit in one guarded
 * transaction (with the event log's append when there is one), then go to in-process subscribers. A loss
 * is only reported after a consistent re-read, and the transaction re-checks the key is still absent at
 * commit, so a stale read during a leader change or a connection blip cannot produce a false CellLost.
 * A watcher (re)started later reports what changed while nobody watched: it is level-triggered.
 *
 * Run one watcher per cluster (the controller's leader); a second one is safe (its commits lose the
 * guards and re-read) but adds load.
 */
export class PresenceWatcher {
  readonly events: EventBus<PresenceEvent>;
  readonly keys: PresenceKeys;
  readonly #options: PresenceWatcherOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #stop = new AbortController();
  #state: WatcherState = 'idle';
  #localSeq = 0;
  #loop: Promise<void> = Promise.resolve();
  #ready: (() => void) | undefined;

  constructor(options: PresenceWatcherOptions) {
    this.#options = options;
    this.keys = options.keys ?? new PresenceKeys();
    this.#log = (options.logger ?? silentLogger).child({ component: 'presence-watcher' });
    this.#clock = options.clock ?? systemClock;
    this.events = new EventBus<PresenceEvent>((error: unknown) => {
      this.#log.error({ err: describeError(error) }, 'presence listener threw');
    });
  }

  get state(): WatcherState {
    return this.#state;
  }

  /** Start watching; resolves once the first snapshot has been processed (or `signal` aborts). */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`presence watcher already started (state ${this.#state})`);
    this.#state = 'starting';
    const combined = signal === undefined ? this.#stop.signal : AbortSignal.any([signal, this.#stop.signal]);
    const ready = new Promise<void>((resolve) => {
      this.#ready = resolve;
      combined.addEventListener('abort', () => resolve(), { once: true });
    });
    this.#loop = this.#run(combined).finally(() => {
      this.#state = 'stopped';
    });
    await ready;
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'idle') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    this.#stop.abort();
    await this.#loop;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { client } = this.#options;
    for (let failures = 0; !isAborted(signal);) {
      try {
        const snapshots = blockingLoop((request) => client.kv.list(this.keys.prefix, request), {
          signal,
          ...(this.#options.waitMs === undefined ? {} : { waitMs: this.#options.waitMs }),
          burst: this.#options.burst ?? 3,
          refillMs: this.#options.refillMs ?? 100,
          clock: this.#clock,
          onError: (error: unknown, n: number) => {
            this.#log.warn({ err: describeError(error), failures: n }, 'presence watch failed; retrying');
          },
        });
        for await (const { value } of snapshots) {
          const committed = await this.#process(value, signal);
          failures = 0;
          this.#markReady();
          // A rolled-back commit means presence changed under us: read again from scratch.
          if (!committed) break;
        }
        await this.#clock.sleep(50, signal).catch(() => undefined);
      } catch (error: unknown) {
        if (isAborted(signal)) return;
        failures += 1;
        this.#log.warn({ err: describeError(error), failures }, 'presence commit failed; re-reading');
        await this.#clock
          .sleep(backoffMs(failures, { baseMs: 200, maxMs: 5_000, jitter: 0.5 }), signal)
          .catch(() => undefined);
      }
    }
  }

  #markReady(): void {
    if (this.#state === 'starting') this.#state = 'running';
    this.#ready?.();
    this.#ready = undefined;
  }

  /** Diff one snapshot and commit it. Returns false when a guard failed (the caller re-reads). */
  async #process(entries: readonly KvEntry[], signal: AbortSignal): Promise<boolean> {
    let diff = diffSnapshot(decodeSnapshot(this.keys, entries));
    if (reportsLoss(diff)) {
      // A loss is a decision: confirm it against the leader, not whatever server answered the watch.
      const fresh = await this.#options.client.kv.list(this.keys.prefix, {
        consistency: 'consistent',
        signal,
      });
      const snapshot = decodeSnapshot(this.keys, fresh.value);
      for (const key of snapshot.invalid) this.#log.warn({ key }, 'undecodable presence record ignored');
      diff = diffSnapshot(snapshot);
    }
    return this.#commit(diff, signal);
  }

  async #commit(diff: PresenceDiff, signal: AbortSignal): Promise<boolean> {
    for (const batch of batches(diff.changes, this.#options.eventLog !== undefined)) {
      const observedAt = new Date().toISOString();
      const ops = batch.flatMap((change) => changeOps(this.keys, change, observedAt));
      const inputs = batch.flatMap((change) => changeEvents(change, observedAt));
      let committed;
      try {
        committed = await this.#append(inputs, ops, signal);
      } catch (error: unknown) {
        if (!(error instanceof TxnRollbackError)) throw error;
        this.#log.debug({ err: error.message }, 'presence changed during commit; re-reading');
        return false;
      }
      for (const event of committed) {
        this.#log.info(
          { seq: event.seq, type: event.type, cell: event.subject, reason: event.reason },
          'presence event',
        );
        this.events.emit(event);
      }
    }
    await this.#deleteStale(diff, signal);
    return true;
  }

  async #append(inputs: EventInput[], ops: TxnOp[], signal: AbortSignal): Promise<PresenceEvent[]> {
    const log = this.#options.eventLog;
    if (log !== undefined) return (await log.append(inputs, { extraOps: ops, signal })) as PresenceEvent[];
    await this.#options.client.txn.run(ops, signal);
    return inputs.map((input) => ({ ...input, seq: (this.#localSeq += 1) }) as PresenceEvent);
  }

  async #deleteStale(diff: PresenceDiff, signal: AbortSignal): Promise<void> {
    const ops: TxnOp[] = diff.staleDepartures.map((d) => ({
      verb: 'delete-cas',
      key: d.key,
      index: d.modifyIndex,
    }));
    for (let i = 0; i < ops.length; i += MAX_TXN_OPS) {
      await this.#options.client.txn.run(ops.slice(i, i + MAX_TXN_OPS), signal).catch((error: unknown) => {
        this.#log.debug({ err: describeError(error) }, 'stale departure cleanup skipped');
      });
    }
  }
}

/** Group changes into transactions that fit Consul's operation limit (events cost two ops each). */
function* batches(changes: readonly CellChange[], logged: boolean): Generator<CellChange[]> {
  const budget = MAX_TXN_OPS - 1;
  let batch: CellChange[] = [];
  let used = 0;
  for (const change of changes) {
    const cost = 2 + change.consumedDepartures.length + (logged ? 2 : 0) * change.transitions.length;
    if (used + cost > budget && batch.length > 0) {
      yield batch;
      batch = [];
      used = 0;
    }
    batch.push(change);
    used += cost;
  }
  if (batch.length > 0) yield batch;
}
