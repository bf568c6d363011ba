import { EventSource } from 'eventsource';
import { ControllerDaemon } from '../../src/controllers/controller-daemon.js';
import type { ConsulClient } from '../../src/consul/client.js';
import type { SseLimits } from '../../src/http/sse-connection.js';

/** What a standard EventSource client received: one row per dispatched event. */
export interface Received {
  readonly type: string;
  readonly lastEventId: string;
  readonly data: Record<string, unknown>;
}

/** Every event type the controller's streams carry, plus the stream's own notices. */
export const SSE_TYPES = [
  'Connected',
  'Gap',
  'Overflow',
  'CellRegistered',
  'CellUpdated',
  'CellDeparted',
  'CellLost',
  'HolderChanged',
  'HolderReleased',
  'StepDownRequested',
];

/**
 * A real WHATWG EventSource (the `eventsource` package) whose requests go to whichever replica `target`
 * names when it (re)connects, as a load balancer would route them; `hold()` keeps it disconnected.
 */
export class SseClient {
  readonly received: Received[] = [];
  readonly lastEventIds: string[] = [];
  target: string;
  readonly #source: EventSource;
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => undefined;

  constructor(target: string, pathAndQuery = '/events') {
    this.target = target;
    this.#source = new EventSource(`http://sse.invalid${pathAndQuery}`, {
      fetch: async (url, init) => {
        await this.#gate;
        const { pathname, search } = new URL(url);
        if (typeof init.headers['Last-Event-ID'] === 'string')
          this.lastEventIds.push(init.headers['Last-Event-ID']);
        return fetch(`${this.target}${pathname}${search}`, init);
      },
    });
    for (const type of SSE_TYPES) {
      this.#source.addEventListener(type, (event) => {
        this.received.push({
          type,
          lastEventId: event.lastEventId,
          data: JSON.parse(String(event.data)) as Record<string, unknown>,
        });
      });
    }
  }

  /** Stream events (not the stream's own notices) as `stream:seq`, in arrival order. */
  eventIds(): string[] {
    return this.received
      .filter((row) => !['Connected', 'Gap', 'Overflow'].includes(row.type))
      .map((row) => `${String(row.data['stream'])}:${String(row.data['seq'])}`);
  }

  connections(): number {
    return this.received.filter((row) => row.type === 'Connected').length;
  }

  /** Keep the client from reconnecting until `release()`. */
  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(target: string): void {
    this.target = target;
    this.#open();
  }

  close(): void {
    this.#source.close();
  }
}

/** A controller replica serving HTTP on a free port. */
export async function startReplica(
  client: ConsulClient,
  root: string,
  identity: string,
  sse?: SseLimits,
): Promise<{ daemon: ControllerDaemon; url: string }> {
  const daemon = new ControllerDaemon({
    client,
    root,
    identity,
    http: { host: '127.0.0.1', port: 0 },
    ...(sse === undefined ? {} : { sse }),
  });
  const address = await daemon.start();
  if (address === undefined) throw new Error('the replica serves no HTTP');
  return { daemon, url: `http://127.0.0.1:${address.port}` };
}

/** GET an SSE endpoint with a plain fetch and read its text until `done` says enough (or the stream ends). */
export async function readSse(
  url: string,
  headers: Record<string, string>,
  done: (text: string) => boolean,
): Promise<string> {
  const stop = new AbortController();
  const response = await fetch(url, { headers, signal: stop.signal });
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream'))
    throw new Error(`not an event stream: ${response.status} ${await response.text()}`);
  let text = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (done(text)) break;
    }
  } finally {
    stop.abort();
  }
  return text;
}
