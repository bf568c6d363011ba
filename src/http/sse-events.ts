import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventFeed } from '../events/event-tails.js';
import type { Logger } from '../log/logger.js';
import { SseConnection, type SseLimits } from './sse-connection.js';
import { parseEventsRequest } from './sse-cursor.js';

/**
 * `GET /events[?stream=S][&since=CURSOR]` with an optional `Last-Event-ID: CURSOR`: Server-Sent Events
 * of the durable event streams, resumable on any replica (see `sse-cursor.ts` for the id format).
 * The response starts only once the feed's tails know their positions, so a client never holds an
 * open stream that would skip what was committed after it opened.
 */
export async function serveEvents(
  request: IncomingMessage,
  response: ServerResponse,
  feed: EventFeed,
  options: { readonly limits?: SseLimits; readonly logger: Logger },
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const lastEventId = request.headers['last-event-id'];
  const parsed = parseEventsRequest(
    url.searchParams,
    Array.isArray(lastEventId) ? lastEventId[0] : lastEventId,
    feed.streams,
  );
  if (!parsed.ok) {
    response.writeHead(400, { 'content-type': 'application/json' });
    response.end(`${JSON.stringify({ error: parsed.message })}\n`);
    return;
  }
  const gone = new AbortController();
  const onClose = (): void => gone.abort();
  response.once('close', onClose);
  try {
    await feed.positioned(gone.signal);
  } catch {
    return; // the client left while the tails were starting
  } finally {
    response.off('close', onClose);
  }
  const connection = new SseConnection({
    response,
    feed,
    streams: parsed.value.streams,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    logger: options.logger.child({ client: request.socket.remoteAddress, port: request.socket.remotePort }),
  });
  connection.open(parsed.value.since);
}
