import PQueue from 'p-queue';
import { ConfigError, InvalidStateError } from '../errors.js';
import { childLogger, silentLogger, type Logger } from '../log/logger.js';
import { isAborted, systemClock, type Clock } from '../time/clock.js';
import { TerminalError, type Reconciler } from './reconciler.js';
import { WorkQueue } from './work-queue.js';

export interface ControllerOptions<K> {
  /** Names the controller in logs and metrics. */
  readonly name: string;
  readonly reconciler: Reconciler<K>;
  /**
   * Keys reconciled at the same time (never the same key twice).
   * @default 2
   */
  readonly concurrency?: number;
  /**
   * Every `resyncMs`, re-add every key `listKeys` returns: a safety net for a missed change, not the way
   * changes are detected. Off unless both are given.
   * @default undefined
   */
  readonly resyncMs?: number;
  readonly listKeys?: () => Iterable<K>;
  /** @default a new WorkQueue with default retry limits on `clock` */
  readonly queue?: WorkQueue<K>;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** Called after every reconcile, e.g. to record metrics. */
  readonly onReconciled?: (event: ReconcileEvent<K>) => void;
}

export type ReconcileOutcome = 'done' | 'requeued' | 'error' | 'terminal' | 'aborted';

export interface ReconcileEvent<K> {
  readonly key: K;
  readonly outcome: ReconcileOutcome;
  readonly durationMs: number;
  readonly error?: unknown;
}

export type ControllerState = 'idle' | 'running' | 'stopping' | 'stopped';

/**
 * The reconcile loop: takes keys from a deduplicating work queue and runs the reconciler on them with
 * bounded concurrency. Result semantics: done → forget the key's backoff; `requeueAfterMs` → again after that
 * delay; a thrown error → retry with rate-limited backoff; a `TerminalError` → log, no retry.
 */
export class Controller<K = string> {
  readonly name: string;
  readonly queue: WorkQueue<K>;
  readonly #options: ControllerOptions<K>;
  readonly #clock: Clock;
  readonly #log: Logger;
  #state: ControllerState = 'idle';

  constructor(options: ControllerOptions<K>) {
    const concurrency = options.concurrency ?? 2;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ConfigError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    if (options.resyncMs !== undefined && !(options.resyncMs > 0)) {
      throw new ConfigError(`resyncMs must be positive, got ${options.resyncMs}`);
    }
    this.#options = options;
    this.name = options.name;
    this.#clock = options.clock ?? systemClock;
    this.#log = childLogger(options.logger ?? silentLogger, { controller: options.name });
    this.queue = options.queue ?? new WorkQueue<K>({ clock: this.#clock });
  }

  get state(): ControllerState {
    return this.#state;
  }

  /** Ask for `key` to be reconciled (what event handlers call). */
  enqueue(key: K): void {
    this.queue.add(key);
  }

  /**
   * Run until `signal` aborts, then shut the queue down and wait for in-flight reconciles (they see the
   * same signal aborted) before resolving.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#state !== 'idle') throw new InvalidStateError(`controller ${this.name} was already started`);
    this.#state = 'running';
    const workers = new PQueue({ concurrency: this.#options.concurrency ?? 2 });
    const stop = (): void => {
      this.#state = 'stopping';
      this.queue.shutDown();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    const resync = this.#resyncLoop(signal);
    try {
      for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
        const taken = key;
        void workers.add(() => this.#process(taken, signal));
        // Take the next key only when a worker is free, so waiting keys stay deduplicated in the queue.
        await workers.onSizeLessThan(1);
      }
    } finally {
      signal.removeEventListener('abort', stop);
      await workers.onIdle();
      await resync;
      this.#state = 'stopped';
    }
  }

  /** Never throws: every outcome is decided here and reported. */
  async #process(key: K, signal: AbortSignal): Promise<void> {
    const startedAt = this.#clock.now();
    let outcome: ReconcileOutcome;
    let failure: unknown;
    try {
      const result = await this.#options.reconciler.reconcile(key, signal);
      this.queue.forget(key);
      if (result.requeueAfterMs === undefined) outcome = 'done';
      else {
        this.queue.addAfter(key, result.requeueAfterMs);
        outcome = 'requeued';
      }
    } catch (error: unknown) {
      failure = error;
      if (isAborted(signal)) outcome = 'aborted';
      else if (error instanceof TerminalError) {
        this.queue.forget(key);
        outcome = 'terminal';
        this.#log.error({ key, err: error }, 'reconcile failed for good');
      } else {
        this.queue.addRateLimited(key);
        outcome = 'error';
        this.#log.warn({ key, err: error, retries: this.queue.retries(key) }, 'reconcile failed');
      }
    } finally {
      this.queue.done(key);
    }
    const durationMs = this.#clock.now() - startedAt;
    this.#options.onReconciled?.({
      key,
      outcome,
      durationMs,
      ...(failure === undefined ? {} : { error: failure }),
    });
  }

  async #resyncLoop(signal: AbortSignal): Promise<void> {
    const { resyncMs, listKeys } = this.#options;
    if (resyncMs === undefined || listKeys === undefined) return;
    while (!isAborted(signal)) {
      try {
        await this.#clock.sleep(resyncMs, signal);
      } catch {
        return;
      }
      try {
        for (const key of listKeys()) this.queue.add(key);
      } catch (error: unknown) {
        this.#log.error({ err: error }, 'resync could not list keys');
      }
    }
  }
}
