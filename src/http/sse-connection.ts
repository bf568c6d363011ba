import type { ServerResponse } from 'node:http';
import type { BatonEvent } from '../events/event.js';
import type { EventFeed, StreamEvent } from '../events/event-tails.js';
import type { Logger } from '../log/logger.js';
import { backoffMs, RETRY_BACKOFF } from '../time/backoff.js';
import { abortableSleep, isAborted } from '../time/clock.js';
import { formatCursor, type Cursor } from './sse-cursor.js';

export interface SseLimits {
  /** Sent as `retry:` at connect: how long a client waits before reconnecting. @default 2_000 */
  readonly retryMs?: number;
  /**
   * A client that accepts no bytes for this long while events wait for it is dropped with an `Overflow`
   * event. Memory per client stays bounded regardless: an event not yet written is re-read from the
   * durable log when the client drains, never queued. @default 30_000
   */
  readonly stallTimeoutMs?: number;
  /** Comment sent when nothing else was, so proxies keep the connection. @default 15_000 */
  readonly keepAliveMs?: number;
}

export const DEFAULT_SSE_LIMITS: Required<SseLimits> = {
  retryMs: 2_000,
  stallTimeoutMs: 30_000,
  keepAliveMs: 15_000,
};

/** Events read from the log per catch-up step. */
const READ_BATCH = 500;
/** How long a closed (overflowed) stream may take to flush its last bytes before the socket is cut. */
const CLOSE_GRACE_MS = 5_000;

interface StreamPosition {
  /** Last seq written to this client. */
  cursor: number;
  /** Highest seq known to exist (from the live tail); the pump catches up to it from the log. */
  target: number;
}

/**
 * One `/events` client. Live events are written directly while the client keeps up; when it is behind (a
 * replay, a hole in the live sequence, a full socket) the pump reads the missing range from the durable
 * log and waits for `drain` between writes. Each stream's events go out in seq order, exactly once.
 */
export class SseConnection {
  readonly #response: ServerResponse;
  readonly #feed: EventFeed;
  readonly #streams: readonly string[];
  readonly #positions = new Map<string, StreamPosition>();
  readonly #limits: Required<SseLimits>;
  readonly #log: Logger;
  readonly #closed = new AbortController();
  #pumping = false;
  #wroteSinceKeepAlive = false;

  constructor(options: {
    readonly response: ServerResponse;
    readonly feed: EventFeed;
    readonly streams: readonly string[];
    readonly limits?: SseLimits;
    readonly logger: Logger;
  }) {
    this.#response = options.response;
    this.#feed = options.feed;
    this.#streams = options.streams;
    this.#limits = { ...DEFAULT_SSE_LIMITS, ...options.limits };
    this.#log = options.logger;
  }

  /** Start streaming from `since` (a stream absent from it starts live); ends when the client goes away. */
  open(since: Cursor): void {
    const off = this.#feed.listen((live) => this.#onLive(live));
    for (const stream of this.#streams) {
      const head = this.#feed.position(stream);
      this.#positions.set(stream, { cursor: since.get(stream) ?? head, target: head });
    }
    const keepAlive = setInterval(() => {
      if (!this.#wroteSinceKeepAlive && !this.#response.writableNeedDrain)
        this.#response.write(': keep-alive\n\n');
      this.#wroteSinceKeepAlive = false;
    }, this.#limits.keepAliveMs);
    this.#response.once('close', () => {
      clearInterval(keepAlive);
      off();
      this.#closed.abort();
    });
    this.#response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // A named event, not a bare `id:`: some clients only record an id that comes with data, and a client
    // that saw no event yet must still resume from here rather than from wherever it reconnects.
    this.#write(
      `retry: ${this.#limits.retryMs}\n${this.#frame('Connected', { streams: Object.fromEntries(this.#cursor()) })}`,
    );
    this.#kick();
  }

  #onLive({ stream, event }: StreamEvent): void {
    const position = this.#positions.get(stream);
    if (position === undefined || this.#closed.signal.aborted || event.seq <= position.cursor) return;
    position.target = Math.max(position.target, event.seq);
    if (!this.#pumping && !this.#response.writableNeedDrain && event.seq === position.cursor + 1) {
      this.#send(stream, event);
      return;
    }
    this.#kick();
  }

  #kick(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    this.#pump()
      .catch((error: unknown) => {
        if (!this.#closed.signal.aborted) this.#log.warn({ err: error }, 'events stream failed');
        this.#response.destroy();
      })
      .finally(() => {
        this.#pumping = false;
      });
  }

  /** Catch every stream up to its target from the log, one batch at a time, respecting backpressure. */
  async #pump(): Promise<void> {
    const signal = this.#closed.signal;
    for (let failures = 0; !signal.aborted;) {
      const behind = [...this.#positions].find(([, position]) => position.cursor < position.target);
      if (behind === undefined) return;
      const [stream, position] = behind;
      const limit = Math.min(READ_BATCH, position.target - position.cursor);
      let batch;
      try {
        batch = await this.#feed.read(stream, position.cursor, limit, signal);
        failures = 0;
      } catch (error: unknown) {
        if (isAborted(signal)) return;
        failures += 1;
        this.#log.debug({ err: error, stream, failures }, 'events replay read failed; retrying');
        await abortableSleep(backoffMs(failures, RETRY_BACKOFF), signal).catch(() => undefined);
        continue;
      }
      // A hole before or between the events read was trimmed by retention (or is undecodable): say so.
      for (const event of batch.events) {
        if (event.seq <= position.cursor) continue;
        if (event.seq > position.cursor + 1 && !(await this.#gap(stream, position, event.seq - 1))) return;
        position.target = Math.max(position.target, event.seq);
        if (!(await this.#paced(this.#eventFrame(stream, event, position)))) return;
      }
      const end = Math.min(batch.head, position.cursor + limit);
      if (batch.events.length === 0 && end > position.cursor && !(await this.#gap(stream, position, end)))
        return;
      // A log whose head is behind this client's cursor (another installation's id?): nothing to wait for.
      if (batch.head <= position.cursor) position.target = position.cursor;
    }
  }

  async #gap(stream: string, position: StreamPosition, to: number): Promise<boolean> {
    const from = position.cursor + 1;
    position.cursor = to;
    return this.#paced(this.#frame('Gap', { stream, from, to }));
  }

  #send(stream: string, event: BatonEvent): void {
    const position = this.#positions.get(stream);
    if (position !== undefined) this.#write(this.#eventFrame(stream, event, position));
  }

  #eventFrame(stream: string, event: BatonEvent, position: StreamPosition): string {
    position.cursor = event.seq;
    return this.#frame(event.type, { stream, ...event });
  }

  #frame(type: string, data: unknown): string {
    const name = type.replace(/[\r\n]/g, '');
    return `id: ${formatCursor(this.#streams, this.#cursor())}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  #cursor(): Map<string, number> {
    return new Map([...this.#positions].map(([stream, position]) => [stream, position.cursor]));
  }

  #write(text: string): boolean {
    this.#wroteSinceKeepAlive = true;
    return this.#response.write(text);
  }

  /** Write, then wait for the client to drain; false when it stalled (dropped) or went away. */
  async #paced(text: string): Promise<boolean> {
    if (this.#write(text)) return !this.#closed.signal.aborted;
    const drained = await new Promise<boolean>((resolve) => {
      const done = (result: boolean): void => {
        clearTimeout(timer);
        this.#response.off('drain', onDrain);
        this.#closed.signal.removeEventListener('abort', onClose);
        resolve(result);
      };
      const onDrain = (): void => done(true);
      const onClose = (): void => done(false);
      const timer = setTimeout(() => done(false), this.#limits.stallTimeoutMs);
      this.#response.once('drain', onDrain);
      this.#closed.signal.addEventListener('abort', onClose, { once: true });
    });
    if (!drained && !this.#closed.signal.aborted) this.#overflow();
    return drained;
  }

  /** The client stalled: say so in a last event, end the stream, and cut the socket if it never flushes. */
  #overflow(): void {
    const behind = Object.fromEntries(
      [...this.#positions].map(([stream, position]) => [stream, position.target - position.cursor]),
    );
    this.#log.warn(
      { stallTimeoutMs: this.#limits.stallTimeoutMs, behind, buffered: this.#response.writableLength },
      'events subscriber stalled; closing its stream',
    );
    this.#response.end(
      this.#frame('Overflow', {
        reason: 'SlowConsumer',
        message: `the client read nothing for ${this.#limits.stallTimeoutMs} ms while events waited; reconnect with Last-Event-ID to resume`,
        behind,
      }),
    );
    setTimeout(() => this.#response.destroy(), CLOSE_GRACE_MS).unref();
    this.#closed.abort();
  }
}
