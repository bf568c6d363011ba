import type { ConsulClient } from '../../src/consul/client.js';
import { EventLog } from '../../src/events/event-log.js';
import type { BatonEvent } from '../../src/events/event.js';
import { isAborted } from '../../src/time/clock.js';
import { PresenceWatcher } from '../../src/presence/presence-watcher.js';
import { monotonicNowMs, type RecvLine, type SubscriberLine } from '../history.js';
import type { HistoryFiles } from './history-files.js';

export type Stream = RecvLine['stream'];
export const STREAMS: readonly Stream[] = ['presence', 'singletons'];

function streamOf(event: BatonEvent): Stream {
  return event.type.startsWith('Cell') ? 'presence' : 'singletons';
}

/** One subscriber's received events and the span it must cover, per stream. */
class Recorder {
  readonly #last = new Map<Stream, number>();
  readonly #from = new Map<Stream, number>();

  constructor(
    readonly sub: string,
    readonly history: HistoryFiles,
  ) {}

  begin(stream: Stream, fromSeq: number): void {
    this.#from.set(stream, fromSeq);
    this.#last.set(stream, fromSeq);
  }

  receive(event: BatonEvent, stream = streamOf(event)): void {
    const line: RecvLine = {
      k: 'recv',
      t: monotonicNowMs(),
      sub: this.sub,
      stream,
      seq: event.seq,
      type: event.type,
      subject: event.subject,
      ...(event.incarnation === undefined ? {} : { incarnation: event.incarnation }),
    };
    this.history.write(line);
    this.#last.set(stream, Math.max(this.#last.get(stream) ?? 0, event.seq));
  }

  lastSeq(stream: Stream): number {
    return this.#last.get(stream) ?? 0;
  }

  /** Close the span of `stream` at `toSeq` (and forget it, so a reconnect opens a new one). */
  end(stream: Stream, toSeq: number): void {
    const fromSeq = this.#from.get(stream);
    if (fromSeq === undefined) return;
    const line: SubscriberLine = {
      k: 'subscriber',
      t: monotonicNowMs(),
      sub: this.sub,
      stream,
      fromSeq,
      toSeq,
    };
    this.history.write(line);
    this.#from.delete(stream);
  }
}

/** The subscribers: one on each durable log, one embedded `PresenceWatcher`, one SSE client. */
export class Subscribers {
  readonly #stop = new AbortController();
  readonly #tasks: Promise<void>[] = [];
  readonly #log: Recorder;
  readonly #embedded: Recorder;
  #watcher: PresenceWatcher | undefined;
  readonly #sse: { recorder: Recorder | undefined; count: number } = { recorder: undefined, count: 0 };

  constructor(
    readonly client: ConsulClient,
    readonly history: HistoryFiles,
    readonly sseUrls: readonly string[],
  ) {
    this.#log = new Recorder('log-1', history);
    this.#embedded = new Recorder('embedded-1', history);
  }

  async start(): Promise<void> {
    const signal = this.#stop.signal;
    for (const stream of STREAMS) {
      const log = new EventLog({ client: this.client, stream });
      const since = await log.head();
      this.#log.begin(stream, since);
      this.#tasks.push(
        retrying(signal, () =>
          log.subscribe({ since: this.#log.lastSeq(stream), signal }, (e) => this.#log.receive(e, stream)),
        ),
      );
    }
    this.#embedded.begin('presence', await new EventLog({ client: this.client, stream: 'presence' }).head());
    const watcher = new PresenceWatcher({ client: this.client });
    watcher.events.on((event) => this.#embedded.receive(event, 'presence'));
    await watcher.start(signal);
    this.#watcher = watcher;
    this.#tasks.push(this.#followSse(signal));
  }

  /** Wait until every live subscriber has reached `heads` (or `timeoutMs`), then close every span. */
  async finish(heads: ReadonlyMap<Stream, number>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const live = [
      this.#log,
      this.#embedded,
      ...(this.#sse.recorder === undefined ? [] : [this.#sse.recorder]),
    ];
    const caughtUp = (): boolean =>
      live.every((r) =>
        STREAMS.every((s) =>
          r === this.#embedded && s !== 'presence' ? true : r.lastSeq(s) >= (heads.get(s) ?? 0),
        ),
      );
    while (!caughtUp() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    for (const recorder of live) for (const stream of STREAMS) recorder.end(stream, heads.get(stream) ?? 0);
    this.#stop.abort();
    await this.#watcher?.stop();
    await Promise.allSettled(this.#tasks);
  }

  /**
   * SSE on a controller's `/events`, which cannot resume: each connection is its own subscriber span,
   * from the log's head when the connection opened to the last event it received before it dropped.
   */
  async #followSse(signal: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal.aborted; attempt += 1) {
      const url = this.sseUrls[attempt % this.sseUrls.length];
      if (url === undefined) return;
      this.#sse.count += 1;
      const recorder = new Recorder(`sse-${this.#sse.count}`, this.history);
      try {
        const response = await fetch(url, { signal });
        if (response.body === null || !response.ok) throw new Error(`SSE ${response.status}`);
        for (const stream of STREAMS)
          recorder.begin(stream, await new EventLog({ client: this.client, stream }).head(signal));
        this.#sse.recorder = recorder;
        await readSse(response.body, (event) => recorder.receive(event));
      } catch {
        // The controller died or was cut off: the span ends at what it received.
      }
      if (this.#sse.recorder === recorder && !isAborted(signal)) {
        this.#sse.recorder = undefined;
        for (const stream of STREAMS) recorder.end(stream, recorder.lastSeq(stream));
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: BatonEvent) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((line) => line.startsWith('data: '));
      if (data !== undefined) onEvent(JSON.parse(data.slice(6)) as BatonEvent);
    }
  }
}

async function retrying(signal: AbortSignal, run: () => Promise<void>): Promise<void> {
  while (!signal.aborted) {
    await run().catch(() => undefined);
    if (!isAborted(signal)) await new Promise((r) => setTimeout(r, 500));
  }
}
