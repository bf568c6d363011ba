import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ControllerDaemon } from '../../src/controllers/controller-daemon.js';
import { EventLog } from '../../src/events/event-log.js';
import { PRESENCE_STREAM } from '../../src/presence/presence-event.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();
const STALL_TIMEOUT_MS = 500;
let daemon: ControllerDaemon | undefined;
afterAll(() => daemon?.stop());

describe('/events and a client that stops reading', () => {
  it('drops the stalled client with a final Overflow event and logs it, its buffer bounded', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('sse-overflow');
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    daemon = new ControllerDaemon({
      client,
      root,
      identity: 'overflow-replica',
      http: { host: '127.0.0.1', port: 0 },
      sse: { stallTimeoutMs: STALL_TIMEOUT_MS },
      logger: pino({ level: 'warn' }, sink),
    });
    const address = await daemon.start();
    if (address === undefined) throw new Error('no HTTP address');

    // A raw client that sends its request and then never reads a byte.
    const socket = connect(address.port, '127.0.0.1');
    socket.pause();
    socket.write('GET /events?stream=presence HTTP/1.1\r\nHost: localhost\r\n\r\n');
    let ended = false;
    socket.once('end', () => (ended = true));

    const log = new EventLog({ client, root, stream: PRESENCE_STREAM });
    const big = 'x'.repeat(100_000);
    const stalled = (): Record<string, unknown> | undefined =>
      lines.find((line) => line['msg'] === 'events subscriber stalled; closing its stream');
    // Fill the socket and the kernel buffers until the server gives up on the client.
    for (let i = 0; i < 500 && stalled() === undefined; i += 1) {
      await log.append([
        {
          type: 'CellUpdated',
          subject: `c${i}`,
          observedAt: new Date().toISOString(),
          reason: 'Test',
          data: { big },
        },
      ]);
    }
    await waitFor(() => stalled() !== undefined, { message: 'the server never dropped the stalled client' });
    // What the server held for this client: at most the socket's high-water mark and one event frame.
    expect(stalled()?.['buffered']).toBeLessThan(16_384 + 2 * big.length);

    // Reading now, the client finds the stream closed with a final Overflow event.
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.resume();
    await waitFor(() => ended, { message: 'the server never ended the stalled stream' });
    const overflow = text.lastIndexOf('event: Overflow\ndata: {"reason":"SlowConsumer"');
    expect(overflow).toBeGreaterThan(0);
    expect(text.slice(overflow + 1)).not.toContain('event: ');
    socket.destroy();
  });
});
