import { z } from 'zod';
import type { ConsulClient } from '../consul/client.js';
import { blockingLoop } from '../consul/blocking.js';
import { TxnRollbackError } from '../consul/errors.js';
import { MAX_TXN_OPS, txnOpWireBytes, type TxnOp } from '../consul/txn.js';
import { BatonError, ErrorCode, ConfigError, InvalidArgumentError } from '../errors.js';
import { childLogger, silentLogger, type Logger } from '../log/logger.js';
import { retryUntil } from '../time/retry.js';
import { isAborted } from '../time/clock.js';
import { KvLayout } from '../layout/kv-layout.js';
import type { EventKeys } from '../layout/event-keys.js';
import {
  BatonEventSchema,
  decodeEvent,
  untypedStream,
  type BatonEvent,
  type EventInput,
  type EventStream,
} from './event.js';

export interface EventLogOptions<E extends BatonEvent = BatonEvent> {
  readonly client: ConsulClient;
  /**
   * The stream: its name (one log per stream under `<root>/events/<name>/`, events read as the generic
   * `BatonEvent`), or a typed stream descriptor such as `SINGLETON_EVENTS` or `PRESENCE_EVENTS` (events
   * read as that stream's discriminated union; appends are checked against its schema).
   */
  readonly stream: string | EventStream<E>;
  /** The installation's KV root; the log lives under `<root>/events/<stream>/`. @default 'baton/v1' */
  readonly root?: string;
  /** Events kept; older ones are deleted as new ones arrive. @default 10_000 */
  readonly retention?: number;
  /** Where this component logs (pino; a child logger is derived). @default silentLogger: quiet */
  readonly logger?: Logger;
}

export interface AppendOptions {
  /** Applied in the same transaction as the events: all commit or none (e.g. a watcher's status). */
  readonly extraOps?: readonly TxnOp[];
  readonly signal?: AbortSignal;
}

export interface ReadResult<E extends BatonEvent = BatonEvent> {
  /** The events the stream's schema recognises, oldest first. */
  readonly events: E[];
  /**
   * Well-formed events the stream's schema does not recognise (a type added by a newer writer), oldest
   * first: kept, not dropped. Always empty for an untyped log.
   */
  readonly unrecognized: BatonEvent[];
  /** The newest sequence in the log when read. */
  readonly head: number;
  /** True when events after `since` were already trimmed by retention (the reader missed some). */
  readonly gap: boolean;
}

export interface SubscribeOptions {
  /** Deliver events with seq > since. Omitted: only events appended after the call. 0: all retained. */
  readonly since?: number;
  readonly signal: AbortSignal;
  /** Called when retention trimmed events the subscriber had not seen. */
  readonly onGap?: (fromSeq: number, toSeq: number) => void;
  /**
   * Called, in order with the handler, for each well-formed event the stream's schema does not recognise
   * (a newer writer's type). @default log it at debug level and go on
   */
  readonly onUnrecognized?: (event: BatonEvent) => Promise<void> | void;
}

/** The log's head moved while we appended 100 times in a row: someone else writes without pause. */
export class EventLogContentionError extends BatonError {
  constructor(stream: string) {
    super(ErrorCode.EventLogContention, `event log ${stream}: gave up after repeated head conflicts`);
  }
}

/** Head CAS + per event one write and one retention delete; leaves room for the caller's ops. */
const OPS_PER_EVENT = 2;

/**
 * A durable, ordered event log in Consul KV. `<root>/events/<stream>/head` holds the last sequence number; each
 * event lives at `<root>/events/<stream>/log/<seq, zero-padded>`. Appends are one `/v1/txn` that CASes the head,
 * writes the events and deletes the ones that fell out of retention, so sequence numbers never repeat
 * and never skip. Readers resume from the last seq they handled: at-least-once delivery.
 */
export class EventLog<E extends BatonEvent = BatonEvent> {
  /** The stream's name. */
  readonly stream: string;
  /** The stream's schema: what this log's readers decode to and its writers may append. */
  readonly events: EventStream<E>;
  readonly retention: number;
  readonly #client: ConsulClient;
  readonly #keys: EventKeys;
  readonly #log: Logger;

  constructor(options: EventLogOptions<E>) {
    const events =
      typeof options.stream === 'string' ? (untypedStream(options.stream) as EventStream<E>) : options.stream;
    this.#keys = new KvLayout(options.root).events(events.name);
    const retention = options.retention ?? 10_000;
    if (!Number.isSafeInteger(retention) || retention < 1) {
      throw new ConfigError(`event log retention must be a positive integer, got ${retention}`);
    }
    this.stream = events.name;
    this.events = events;
    this.retention = retention;
    this.#client = options.client;
    this.#log = childLogger(options.logger ?? silentLogger, { stream: events.name });
  }

  get headKey(): string {
    return this.#keys.head;
  }

  /** The most events one `append` may carry alongside `extraOpCount` caller operations. */
  static capacity(extraOpCount: number): number {
    return Math.floor((MAX_TXN_OPS - 1 - extraOpCount) / OPS_PER_EVENT);
  }

  /** About what appending `inputs` adds to a transaction's body (head CAS, event writes, retention). */
  wireBytes(inputs: readonly EventInput<E>[]): number {
    const key = this.#eventKey(Number.MAX_SAFE_INTEGER);
    let bytes = txnOpWireBytes({ verb: 'cas', key: this.headKey, value: key, index: 0 });
    for (const input of inputs) {
      const value = JSON.stringify({ ...input, seq: Number.MAX_SAFE_INTEGER });
      bytes += txnOpWireBytes({ verb: 'set', key, value }) + txnOpWireBytes({ verb: 'delete', key });
    }
    return bytes;
  }

  /**
   * Number and write `inputs` atomically with `extraOps`. Retries head conflicts; a failing extra op
   * rolls everything back and surfaces as `TxnRollbackError` (op indexes relative to `extraOps`).
   */
  async append(inputs: readonly EventInput<E>[], options: AppendOptions = {}): Promise<E[]> {
    const extraOps = options.extraOps ?? [];
    if (inputs.length > EventLog.capacity(extraOps.length)) {
      throw new InvalidArgumentError(`too many events for one append: ${inputs.length}; batch them`);
    }
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const { head, modifyIndex } = await this.#readHead(options.signal);
      const events = inputs.map((input, i) => this.#check({ ...input, seq: head + i + 1 }));
      const last = head + events.length;
      const ops: TxnOp[] = [
        { verb: 'cas', key: this.headKey, value: String(last), index: modifyIndex },
        ...extraOps,
      ];
      for (const event of events) {
        ops.push({ verb: 'set', key: this.#eventKey(event.seq), value: JSON.stringify(event) });
        const expired = event.seq - this.retention;
        if (expired > 0) ops.push({ verb: 'delete', key: this.#eventKey(expired) });
      }
      try {
        await this.#client.txn.run(ops, options.signal);
        return events;
      } catch (error: unknown) {
        if (!(error instanceof TxnRollbackError)) throw error;
        const extra = error.errors.filter((e) => e.opIndex >= 1 && e.opIndex <= extraOps.length);
        if (extra.length > 0)
          throw new TxnRollbackError(extra.map((e) => ({ ...e, opIndex: e.opIndex - 1 })));
        this.#log.debug({ head }, 'event log head moved; retrying append');
      }
    }
    throw new EventLogContentionError(this.stream);
  }

  /** The event as the stream's schema reads it; one it rejects is a caller's bug, refused before writing. */
  #check(event: unknown): E {
    const parsed = this.events.schema.safeParse(event);
    if (parsed.success) return parsed.data;
    throw new InvalidArgumentError(
      `event does not fit stream ${this.stream}: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`,
      { cause: parsed.error },
    );
  }

  /** Up to `limit` events with seq > since, oldest first, split into recognised and unrecognised. */
  async read(since: number, limit = 500, signal?: AbortSignal): Promise<ReadResult<E>> {
    const { envelopes, head, gap } = await this.#readEnvelopes(since, limit, signal);
    const events: E[] = [];
    const unrecognized: BatonEvent[] = [];
    for (const envelope of envelopes) {
      const decoded = decodeEvent(this.events, envelope);
      if (decoded.recognized) events.push(decoded.event);
      else unrecognized.push(decoded.event);
    }
    return { events, unrecognized, head, gap };
  }

  async #readEnvelopes(
    since: number,
    limit: number,
    signal?: AbortSignal,
  ): Promise<{ envelopes: BatonEvent[]; head: number; gap: boolean }> {
    const { head } = await this.#readHead(signal);
    const oldest = Math.max(1, head - this.retention + 1);
    const from = Math.max(since + 1, oldest);
    const to = Math.min(head, from + limit - 1);
    const events: BatonEvent[] = [];
    for (let start = from; start <= to; start += MAX_TXN_OPS) {
      const end = Math.min(to, start + MAX_TXN_OPS - 1);
      events.push(...(await this.#readRange(start, end, signal)));
    }
    return { envelopes: events, head, gap: from > since + 1 && head > since };
  }

  /**
   * Call `handler` for every event after `since`, in order, one at a time, following the head with a
   * blocking query until `signal` aborts. A failed read is retried with backoff from the same cursor (never
   * from the head: that would skip events). A throwing handler ends the subscription with its error; resume
   * with `since` = the last seq handled.
   */
  async subscribe(options: SubscribeOptions, handler: (event: E) => Promise<void> | void): Promise<void> {
    const onUnrecognized =
      options.onUnrecognized ??
      ((event: BatonEvent): void => {
        this.#log.debug({ seq: event.seq, type: event.type }, 'event of a type this reader does not know');
      });
    const { signal } = options;
    let position: { cursor: number } | undefined;
    const failed = { inHandler: false };
    await retryUntil(
      async () => {
        position ??= { cursor: options.since ?? (await this.#readHead(signal)).head };
        await this.#follow(position, options, async (event) => {
          try {
            const decoded = decodeEvent(this.events, event);
            if (decoded.recognized) await handler(decoded.event);
            else await onUnrecognized(decoded.event);
          } catch (error: unknown) {
            failed.inHandler = true;
            throw error;
          }
        });
        return true;
      },
      {
        signal,
        retryable: () => !failed.inHandler,
        onError: (error, failures) => {
          this.#log.debug(
            { err: error, failures, cursor: position?.cursor },
            'event log read failed; retrying',
          );
        },
      },
    );
  }

  /** Deliver after `position.cursor`, following the head, advancing it per event; read errors throw. */
  async #follow(
    position: { cursor: number },
    options: SubscribeOptions,
    handler: (event: BatonEvent) => Promise<void>,
  ): Promise<void> {
    const { signal } = options;
    const heads = blockingLoop(
      async (request) => {
        const { value, index } = await this.#client.kv.get(this.headKey, request);
        return { value: value === undefined ? 0 : parseHead(value.value), index };
      },
      {
        signal,
        same: (a, b) => a === b,
        onError: (error: unknown) => {
          this.#log.debug({ err: error }, 'event log watch failed; retrying');
        },
      },
    );
    for await (const { value: head } of heads) {
      while (position.cursor < head && !isAborted(signal)) {
        const batch = await this.#readEnvelopes(position.cursor, 500, signal);
        if (batch.gap) options.onGap?.(position.cursor + 1, (batch.envelopes[0]?.seq ?? batch.head + 1) - 1);
        if (batch.envelopes.length === 0) {
          position.cursor = batch.head;
          break;
        }
        for (const event of batch.envelopes) {
          if (isAborted(signal)) return;
          await handler(event);
          position.cursor = event.seq;
        }
      }
    }
  }

  /** The sequence number of the newest event (0 while the log is empty). */
  async head(signal?: AbortSignal): Promise<number> {
    return (await this.#readHead(signal)).head;
  }

  async #readHead(signal?: AbortSignal): Promise<{ head: number; modifyIndex: number }> {
    const { value } = await this.#client.kv.get(this.headKey, signal === undefined ? {} : { signal });
    if (value === undefined) return { head: 0, modifyIndex: 0 };
    return { head: parseHead(value.value), modifyIndex: value.modifyIndex };
  }

  async #readRange(from: number, to: number, signal?: AbortSignal): Promise<BatonEvent[]> {
    const ops: TxnOp[] = [];
    for (let seq = from; seq <= to; seq += 1) ops.push({ verb: 'get', key: this.#eventKey(seq) });
    let entries;
    try {
      entries = await this.#client.txn.run(ops, signal);
    } catch (error: unknown) {
      if (!(error instanceof TxnRollbackError)) throw error;
      // Retention trimmed some of the range meanwhile: read key by key and skip the missing ones.
      entries = [];
      for (const op of ops) {
        const { value } = await this.#client.kv.get(op.key, signal === undefined ? {} : { signal });
        if (value !== undefined) entries.push(value);
      }
    }
    const events: BatonEvent[] = [];
    for (const entry of entries) {
      const event = decodeEnvelope(entry.value);
      // Skipped, not thrown: one corrupt entry must not stall every reader at its seq forever.
      if (event === undefined) this.#log.warn({ key: entry.key }, 'undecodable event skipped');
      else events.push(event);
    }
    return events.sort((a, b) => a.seq - b.seq);
  }

  #eventKey(seq: number): string {
    return this.#keys.entry(seq);
  }
}

function decodeEnvelope(bytes: Buffer): BatonEvent | undefined {
  try {
    const parsed = BatonEventSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function parseHead(bytes: Buffer): number {
  const head = Number(bytes.toString('utf8'));
  return Number.isSafeInteger(head) && head >= 0 ? head : 0;
}
