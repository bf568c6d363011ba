/**
 * The scale bench's subscriber: tails the durable presence log (public `EventLog`, on the server agent at
 * BENCH_CONSUL) from its first event, so it keeps reading across a controller failover, and reports each
 * event with its arrival time over IPC.
 */
import { ConsulClient, EventLog, PRESENCE_EVENTS } from '../../src/index.js';
import { Batcher, sendToParent } from './batcher.js';
import type { Received } from './protocol.js';

const consul = process.env['BENCH_CONSUL'];
if (consul === undefined) throw new Error('BENCH_CONSUL is not set');
const log = new EventLog({ client: new ConsulClient({ baseUrl: consul }), stream: PRESENCE_EVENTS });
const received = new Batcher<Received>((events) => sendToParent({ type: 'events', events }));
const stop = new AbortController();
process.on('disconnect', () => process.exit(0));

sendToParent({ type: 'ready', since: 0 });
await log
  .subscribe(
    {
      since: 0,
      signal: stop.signal,
      onGap: (fromSeq, toSeq) => sendToParent({ type: 'gap', fromSeq, toSeq }),
      onUnrecognized: (event) =>
        received.push({
          seq: event.seq,
          type: event.type,
          subject: event.subject,
          incarnation: '',
          reason: event.reason,
          receivedAt: Date.now(),
        }),
    },
    (event) => {
      received.push({
        seq: event.seq,
        type: event.type,
        subject: event.subject,
        incarnation: event.incarnation,
        reason: event.reason,
        receivedAt: Date.now(),
      });
    },
  )
  .catch((error: unknown) => {
    sendToParent({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
