import type { ConsulClient } from '../consul/client.js';
import { blockingLoop } from '../consul/blocking.js';
import { TxnRollbackError } from '../consul/errors.js';
import { MAX_TXN_OPS, TXN_BUDGET_BYTES, txnOpWireBytes, type TxnOp } from '../consul/txn.js';
import { sameListing, type KvEntry } from '../consul/wire.js';
import { InvalidStateError } from '../errors.js';
import type { EventInput } from '../events/event.js';
import { EventBus } from '../events/event-bus.js';
import { EventLog } from '../events/event-log.js';
import { childLogger, silentLogger, type Logger } from '../log/logger.js';
import { retryUntil } from '../time/retry.js';
import { ConsulHealthTracker, type ConsulHealth } from '../runtime/consul-health.js';
import { systemClock, type Clock } from '../time/clock.js';
import { changeEvents, changeOps, staleDepartureOps } from './change-ops.js';
import { PRESENCE_EVENTS, isPresenceEvent, type PresenceEvent } from './presence-event.js';
import { KvLayout } from '../layout/kv-layout.js';
import type { PresenceKeys } from '../layout/presence-keys.js';
import { decodeSnapshot, SnapshotDecodeCache } from './presence-snapshot.js';
import { ShardedCellKeys } from './sharded-cell-keys.js';
import { diffSnapshot, reportsLoss, type CellChange, type PresenceDiff } from './snapshot-diff.js';
import { WATCHER_DEFAULTS } from './defaults.js';

export type WatcherState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface PresenceWatcherOptions {
  readonly client: ConsulClient;
  /** The installation's KV root (see `KvLayout`): presence lives under `<root>/presence/`. @default 'baton/v1' */
  readonly root?: string;
  /**
   * The durable log: events are appended to it atomically with the watcher's records, and `events` is fed
   * from it, so every subscriber of every watcher gets every event.
   * @default the `presence` stream under `<root>/events/`
   */
  readonly eventLog?: EventLog;
  /** `events` delivers the logged events with seq > since. @default the log's head at `start` */
  readonly since?: number;
  /** Server-side wait of each blocking list. @default WATCHER_DEFAULTS.waitMs */
  readonly waitMs?: number;
  /** Blocking-loop rate limit: burst, then one list per `refillMs` under churn. @default WATCHER_DEFAULTS.burst / WATCHER_DEFAULTS.refillMs */
  readonly burst?: number;
  readonly refillMs?: number;
  /** Where this component logs (pino; a child logger is derived). @default silentLogger: quiet */
  readonly logger?: Logger;
  readonly clock?: Clock;
}

/**
 * Turns presence into CellRegistered / CellUpdated / CellDeparted / CellLost events with one blocking list
 * per shard (16: not one watch per cell, nor one list of every cell per change: a change costs a read of
 * its shard, about 1/16 of the cells, and only its changed entries are decoded). Each shard's snapshot is diffed against the watcher's own `known/`
 * records and the cells' `incarnations/` records, which live in the same prefix; the events and the record
 * updates commit in one guarded transaction with the event log's append. A loss is only reported after a
 * consistent re-read, and the transaction re-checks the key is still as read at commit, so a stale read
 * during a leader change or a connection blip cannot produce a false CellLost. A watcher (re)started
 * later reports what changed while nobody watched, including incarnations it never saw live.
 *
 * `events` is fed from the durable log, not from this watcher's own commits: a commit that timed out but
 * applied, or one made by another watcher, is delivered all the same (at-least-once; dedup by `seq`).
 * Run one committing watcher per cluster (the controller's leader); a second one is safe (its commits lose
 * the guards and re-read) but adds load.
 */
export class PresenceWatcher {
  readonly events: EventBus<PresenceEvent>;
  /**
   * The presence keys (live cells) as of the snapshots this watcher committed, with change notifications:
   * what a controller needs to revisit every cell, without watching every shard a second time.
   */
  readonly cellKeys = new ShardedCellKeys((error: unknown) => {
    this.#log.error({ err: error }, 'cell key listener threw');
  });
  readonly keys: PresenceKeys;
  readonly eventLog: EventLog;
  readonly #options: PresenceWatcherOptions;
  readonly #log: Logger;
  readonly #health = new ConsulHealthTracker((health) => {
    for (const listener of this.#healthListeners) listener(health);
  });
  readonly #healthListeners = new Set<(health: ConsulHealth) => void>();
  readonly #clock: Clock;
  readonly #stop = new AbortController();
  #state: WatcherState = 'idle';
  #loop: Promise<void> = Promise.resolve();
  #commits: Promise<void> = Promise.resolve();
  readonly #pendingShards: Set<string>;
  readonly #decoded = new Map<string, SnapshotDecodeCache>();
  #ready: (() => void) | undefined;

  constructor(options: PresenceWatcherOptions) {
    this.#options = options;
    const layout = new KvLayout(options.root);
    this.keys = layout.presence;
    this.#pendingShards = new Set(this.keys.shards);
    this.#log = childLogger(options.logger ?? silentLogger, { component: 'presence-watcher' });
    this.eventLog =
      options.eventLog ??
      new EventLog({ client: options.client, stream: PRESENCE_EVENTS, root: layout.root, logger: this.#log });
    this.#clock = options.clock ?? systemClock;
    this.events = new EventBus<PresenceEvent>((error: unknown) => {
      this.#log.error({ err: error }, 'presence listener threw');
    });
  }

  /**
   * Whether this watcher reaches Consul: `reachable: false` while its reads find no agent (it keeps
   * retrying), back to true at the first answer.
   */
  get consul(): ConsulHealth {
    return this.#health.current;
  }

  /** Be told each time `consul` flips; returns the unsubscribe function. */
  onConsulHealth(listener: (health: ConsulHealth) => void): () => void {
    this.#healthListeners.add(listener);
    return () => this.#healthListeners.delete(listener);
  }

  get state(): WatcherState {
    return this.#state;
  }

  /** Start watching; resolves once the first snapshot has been processed (or `signal` aborts). */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#state !== 'idle')
      throw new InvalidStateError(`presence watcher already started (state ${this.#state})`);
    this.#state = 'starting';
    const combined = signal === undefined ? this.#stop.signal : AbortSignal.any([signal, this.#stop.signal]);
    const ready = new Promise<void>((resolve) => {
      this.#ready = resolve;
      if (combined.aborted) resolve();
      else combined.addEventListener('abort', () => resolve(), { once: true });
    });
    this.#loop = this.#run(combined).finally(() => {
      this.#state = 'stopped';
    });
    await ready;
  }

  /** `await using watcher = new PresenceWatcher(…)`: stops watching when the block exits. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
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
    // The cursor is fixed before the first commit, so nothing this watcher commits can precede it.
    const since =
      this.#options.since ??
      (await this.#retrying('read the event log head', signal, (s) => this.eventLog.head(s)));
    if (since === undefined) return;
    const delivery = this.#deliver(since, signal).catch((error: unknown) => {
      this.#log.error({ err: error }, 'presence event delivery ended');
    });
    await Promise.all(
      this.keys.shards.map((shard) =>
        this.#retrying(`presence watch of shard ${shard}`, signal, (s) => this.#watch(shard, s)),
      ),
    );
    await delivery;
  }

  /** Feed `events` from the durable log, in order, until `signal` aborts. */
  async #deliver(since: number, signal: AbortSignal): Promise<void> {
    const onGap = (fromSeq: number, toSeq: number): void => {
      this.#log.warn({ fromSeq, toSeq }, 'presence events trimmed by retention before delivery');
    };
    await this.eventLog.subscribe({ since, signal, onGap }, (event) => {
      if (!isPresenceEvent(event)) return;
      this.#log.info(
        { seq: event.seq, type: event.type, cell: event.subject, reason: event.reason },
        'presence event',
      );
      this.events.emit(event);
    });
  }

  /** One blocking watch of a shard; returns to be called again after a rolled-back commit. */
  async #watch(shard: string, signal: AbortSignal): Promise<void> {
    const { client } = this.#options;
    const prefix = this.keys.shardPrefix(shard);
    const list = async (request: Parameters<typeof client.kv.list>[1]) => {
      const answer = await client.kv.list(prefix, request);
      this.#health.reached(); // every answer counts, not only the changes the loop yields
      return answer;
    };
    const snapshots = blockingLoop(list, {
      signal,
      waitMs: this.#options.waitMs ?? WATCHER_DEFAULTS.waitMs,
      burst: this.#options.burst ?? WATCHER_DEFAULTS.burst,
      refillMs: this.#options.refillMs ?? WATCHER_DEFAULTS.refillMs,
      busyFraction: WATCHER_DEFAULTS.busyFraction,
      same: sameListing,
      clock: this.#clock,
      onError: (error: unknown, n: number) => {
        this.#health.failed(error);
        this.#log.warn({ err: error, failures: n, shard }, 'presence watch failed; retrying');
      },
    });
    for await (const { value } of snapshots) {
      const committed = await this.#process(shard, value, signal);
      this.#shardReady(shard);
      // A rolled-back commit means presence changed under us: read again from scratch.
      if (!committed) break;
    }
    await this.#clock.sleep(50, signal).catch(() => undefined);
  }

  /** Run `step` until it returns a value or `signal` aborts (again and again while it returns nothing), backing off after failures. */
  async #retrying<T>(
    what: string,
    signal: AbortSignal,
    step: (signal: AbortSignal) => Promise<T>,
  ): Promise<T | undefined> {
    return retryUntil(
      async () => {
        const result = await step(signal);
        this.#health.reached();
        return result;
      },
      {
        signal,
        clock: this.#clock,
        onError: (error, failures) => {
          this.#health.failed(error);
          this.#log.warn({ err: error, failures }, `${what} failed; retrying`);
        },
      },
    );
  }

  /** Ready once every shard's first snapshot has been processed. */
  #shardReady(shard: string): void {
    this.#pendingShards.delete(shard);
    if (this.#pendingShards.size > 0) return;
    if (this.#state === 'starting') this.#state = 'running';
    this.#ready?.();
    this.#ready = undefined;
  }

  /** Diff one shard's snapshot and commit it. Returns false when a guard failed (the caller re-reads). */
  async #process(shard: string, entries: readonly KvEntry[], signal: AbortSignal): Promise<boolean> {
    const cache = this.#decodeCache(shard);
    let listed = entries;
    let diff = diffSnapshot(decodeSnapshot(this.keys, listed, cache));
    if (reportsLoss(diff)) {
      // A loss is a decision: confirm it against the leader, not whatever server answered the watch.
      const fresh = await this.#options.client.kv.list(this.keys.shardPrefix(shard), {
        consistency: 'consistent',
        signal,
      });
      listed = fresh.value;
      const snapshot = decodeSnapshot(this.keys, listed, cache);
      for (const key of snapshot.invalid) this.#log.warn({ key }, 'undecodable presence record ignored');
      diff = diffSnapshot(snapshot);
    }
    const committed = await this.#serialized(() => this.#commit(diff, signal));
    if (committed) {
      const cells = listed.filter((entry) => this.keys.classify(entry.key)?.kind === 'cell');
      this.cellKeys.update(shard, cells);
    }
    return committed;
  }

  #decodeCache(shard: string): SnapshotDecodeCache {
    const cache = this.#decoded.get(shard) ?? new SnapshotDecodeCache();
    this.#decoded.set(shard, cache);
    return cache;
  }

  /** One commit at a time: every shard appends to the same log, whose head would only bounce between them. */
  #serialized<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#commits.then(step, step);
    this.#commits = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #commit(diff: PresenceDiff, signal: AbortSignal): Promise<boolean> {
    const observedAt = new Date().toISOString();
    for (const { inputs, ops } of batches(this.keys, this.eventLog, diff.changes, observedAt)) {
      try {
        await this.eventLog.append(inputs, { extraOps: ops, signal });
      } catch (error: unknown) {
        if (!(error instanceof TxnRollbackError)) throw error;
        this.#log.debug({ err: error.message }, 'presence changed during commit; re-reading');
        return false;
      }
    }
    await this.#deleteStale(diff, signal);
    return true;
  }

  /** Departure records nothing reports (`PresenceDiff.staleDepartures`) are deleted, with a debug log. */
  async #deleteStale(diff: PresenceDiff, signal: AbortSignal): Promise<void> {
    const keys = diff.staleDepartures.map((d) => d.key);
    if (keys.length > 0)
      this.#log.debug(
        { count: keys.length, keys: keys.slice(0, 10) },
        'unreportable departure records deleted',
      );
    const ops = staleDepartureOps(diff.staleDepartures);
    for (let i = 0; i < ops.length; i += MAX_TXN_OPS) {
      await this.#options.client.txn.run(ops.slice(i, i + MAX_TXN_OPS), signal).catch((error: unknown) => {
        this.#log.debug({ err: error }, 'stale departure cleanup skipped');
      });
    }
  }
}

/**
 * Group changes into transactions that fit Consul's limits on operations and on request bytes (a change is
 * never split: its guard and its writes stay atomic).
 */
function* batches(
  keys: PresenceKeys,
  log: EventLog,
  changes: readonly CellChange[],
  observedAt: string,
): Generator<{ inputs: EventInput<PresenceEvent>[]; ops: TxnOp[] }> {
  let batch = { inputs: [] as EventInput<PresenceEvent>[], ops: [] as TxnOp[] };
  let bytes = 0;
  for (const change of changes) {
    const ops = changeOps(keys, change, observedAt);
    const inputs = changeEvents(change, observedAt);
    const cost = ops.reduce((sum, op) => sum + txnOpWireBytes(op), log.wireBytes(inputs));
    const fits =
      EventLog.capacity(batch.ops.length + ops.length) >= batch.inputs.length + inputs.length &&
      bytes + cost <= TXN_BUDGET_BYTES;
    if (!fits && batch.ops.length > 0) {
      yield batch;
      batch = { inputs: [], ops: [] };
      bytes = 0;
    }
    batch.inputs.push(...inputs);
    batch.ops.push(...ops);
    bytes += cost;
  }
  if (batch.ops.length > 0) yield batch;
}
