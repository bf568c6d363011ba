import { blockingLoop } from '../consul/blocking.js';
import type { ConsulClient } from '../consul/client.js';
import { sameListing, type KvEntry } from '../consul/wire.js';
import { AbortedError, InvalidStateError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import { diffSnapshots, type KvChange } from './diff-snapshots.js';

export interface PrefixInformerOptions {
  readonly client: ConsulClient;
  /** KV prefix to watch, e.g. `baton/v1/singletons/`. */
  readonly prefix: string;
  /**
   * Server-side wait of each blocking read.
   * @default 30000
   */
  readonly waitMs?: number;
  /** Pace re-reads by the cost of taking in each answer (see `blockingLoop`). @default 1: no pacing */
  readonly busyFraction?: number;
  /** A failed read (the loop backs off and retries) or a handler that threw. */
  readonly onError?: (
    error: unknown,
    context: { readonly prefix: string; readonly during: 'read' | 'handler' },
  ) => void;
  /** @default systemClock */
  readonly clock?: Clock;
}

export type InformerState = 'idle' | 'running' | 'stopped';

/** Told which keys changed since the previous snapshot (never called with an empty list). */
export type ChangeHandler = (changes: readonly KvChange[]) => void;

/**
 * Watches one KV prefix with one blocking query and keeps the latest snapshot (key → entry). On every new
 * answer it diffs against the previous snapshot and tells handlers which keys were added, updated (new
 * ModifyIndex) or deleted. `synced` turns true after the first complete list, so a controller does not act
 * on a partial view.
 */
export class PrefixInformer {
  readonly prefix: string;
  readonly #options: PrefixInformerOptions;
  readonly #handlers = new Set<ChangeHandler>();
  #snapshot: ReadonlyMap<string, KvEntry> = new Map();
  #index = 0;
  #state: InformerState = 'idle';
  #synced = false;
  readonly #syncWaiters = new Set<() => void>();

  constructor(options: PrefixInformerOptions) {
    this.#options = options;
    this.prefix = options.prefix;
  }

  get state(): InformerState {
    return this.#state;
  }

  /** True once the first list has been taken in. */
  get synced(): boolean {
    return this.#synced;
  }

  /** The Consul index of the snapshot (0 before the first list). */
  get index(): number {
    return this.#index;
  }

  /** The latest snapshot; replaced (never mutated) on every change. */
  snapshot(): ReadonlyMap<string, KvEntry> {
    return this.#snapshot;
  }

  /** Register a handler; returns a function that unregisters it. */
  onChange(handler: ChangeHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Resolve once synced; reject with `AbortedError` if the signal aborts first. */
  waitForSync(signal: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#syncWaiters.delete(done);
        reject(new AbortedError('aborted before the informer synced', { cause: signal.reason }));
      };
      const done = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      this.#syncWaiters.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Watch until the signal aborts. Read failures are retried with backoff and reported to `onError`. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#state !== 'idle')
      throw new InvalidStateError(`informer for ${this.prefix} was already started`);
    this.#state = 'running';
    const { client, prefix, onError } = this.#options;
    try {
      const answers = blockingLoop(
        (read) =>
          client.kv.list(prefix, {
            index: read.index,
            waitMs: read.waitMs,
            timeoutMs: read.timeoutMs,
            signal: read.signal,
          }),
        {
          signal,
          ...(this.#options.waitMs === undefined ? {} : { waitMs: this.#options.waitMs }),
          ...(this.#options.clock === undefined ? {} : { clock: this.#options.clock }),
          ...(this.#options.busyFraction === undefined ? {} : { busyFraction: this.#options.busyFraction }),
          same: sameListing,
          ...(onError === undefined
            ? {}
            : {
                onError: (error: unknown) => {
                  onError(error, { prefix, during: 'read' });
                },
              }),
        },
      );
      for await (const answer of answers) this.#takeIn(answer.value, answer.index);
    } finally {
      this.#state = 'stopped';
    }
  }

  #takeIn(entries: readonly KvEntry[], index: number): void {
    const next = new Map(entries.map((entry) => [entry.key, entry]));
    const changes = diffSnapshots(this.#snapshot, next);
    this.#snapshot = next;
    this.#index = index;
    if (!this.#synced) {
      this.#synced = true;
      for (const done of this.#syncWaiters) done();
      this.#syncWaiters.clear();
    }
    if (changes.length === 0) return;
    for (const handler of this.#handlers) {
      try {
        handler(changes);
      } catch (error: unknown) {
        this.#options.onError?.(error, { prefix: this.prefix, during: 'handler' });
      }
    }
  }
}
