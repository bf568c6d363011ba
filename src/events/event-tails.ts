import type { ConsulClient } from '../consul/client.js';
import { InvalidArgumentError, InvalidStateError } from '../errors.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { retryUntil } from '../time/retry.js';
import { EventBus } from './event-bus.js';
import type { BatonEvent } from './event.js';
import { EventLog, type ReadResult } from './event-log.js';

/** An event with the stream it belongs to: `(stream, event.seq)` names it on every replica. */
export interface StreamEvent {
  readonly stream: string;
  readonly event: BatonEvent;
}

/**
 * Live events of several durable streams plus random access to their logs: what an HTTP subscriber needs
 * to replay from a cursor and then continue live without gap or duplicate at the seam.
 */
export interface EventFeed {
  readonly streams: readonly string[];
  /** Resolves once every stream's tail knows where it starts (rejects with `AbortedError` on abort). */
  positioned(signal: AbortSignal): Promise<void>;
  /**
   * The last seq the stream's tail delivered to `listen`ers (call after `positioned`): every later event
   * reaches a listener registered now, every earlier one is in the log.
   */
  position(stream: string): number;
  /** Live events in each stream's order; returns the unsubscribe function. */
  listen(listener: (event: StreamEvent) => void): () => void;
  read(stream: string, since: number, limit: number, signal: AbortSignal): Promise<ReadResult>;
}

export interface EventTailsOptions {
  readonly client: ConsulClient;
  readonly streams: readonly string[];
  /** The installation's KV root. @default 'baton/v1' */
  readonly root?: string;
  readonly logger?: Logger;
}

/**
 * Follows durable event streams from their head at start, one tail per stream. A failed read resumes
 * from the tail's cursor (never from the head: that would skip what was committed meanwhile).
 */
export class EventTails implements EventFeed {
  readonly streams: readonly string[];
  /** Each tail's last delivered seq (also the subscriber lag metric's source). */
  readonly cursors = new Map<string, number>();
  readonly #logs: ReadonlyMap<string, EventLog>;
  readonly #bus = new EventBus<StreamEvent>();
  readonly #log: Logger;
  #markPositioned: () => void = () => undefined;
  readonly #positioned = new Promise<void>((resolve) => {
    this.#markPositioned = resolve;
  });

  constructor(options: EventTailsOptions) {
    this.streams = [...options.streams];
    this.#log = options.logger ?? silentLogger;
    this.#logs = new Map(
      options.streams.map((stream) => [
        stream,
        new EventLog({
          client: options.client,
          stream,
          ...(options.root === undefined ? {} : { root: options.root }),
          logger: this.#log,
        }),
      ]),
    );
  }

  /** Run every tail until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.allSettled(this.streams.map((stream) => this.#tail(stream, signal)));
  }

  async positioned(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.#positioned, aborted]);
    } finally {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    }
  }

  position(stream: string): number {
    const cursor = this.cursors.get(stream);
    if (cursor === undefined) throw new InvalidStateError(`event tail ${stream} is not positioned yet`);
    return cursor;
  }

  listen(listener: (event: StreamEvent) => void): () => void {
    return this.#bus.on(listener);
  }

  read(stream: string, since: number, limit: number, signal: AbortSignal): Promise<ReadResult> {
    return this.#eventLog(stream).read(since, limit, signal);
  }

  #eventLog(stream: string): EventLog {
    const log = this.#logs.get(stream);
    if (log === undefined) throw new InvalidArgumentError(`no event tail for stream ${stream}`);
    return log;
  }

  async #tail(stream: string, signal: AbortSignal): Promise<void> {
    const log = this.#eventLog(stream);
    let cursor: number | undefined;
    await retryUntil(
      async (attempt) => {
        if (cursor === undefined) {
          cursor = await log.head(signal);
          this.cursors.set(stream, cursor);
          if (this.cursors.size === this.streams.length) this.#markPositioned();
        }
        await log.subscribe({ signal, since: cursor }, (event) => {
          cursor = event.seq;
          this.cursors.set(stream, cursor);
          attempt.progressed();
          this.#bus.emit({ stream, event });
        });
        return undefined;
      },
      {
        signal,
        onError: (error) => this.#log.warn({ err: error, stream }, 'event tail failed; retrying'),
      },
    );
  }
}
