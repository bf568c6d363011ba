import { describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import { ControllerDaemon } from '../../src/controllers/controller-daemon.js';
import { EventLog } from '../../src/events/event-log.js';
import { PRESENCE_STREAM } from '../../src/presence/presence-event.js';
import { useDevAgent } from '../support/consul.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

/** Connect to /events, retrying anything but a 200 stream; returns the text received so far, live. */
async function connect(url: string, signal: AbortSignal): Promise<{ text: () => string }> {
  for (;;) {
    const response = await fetch(url, { signal });
    if (response.ok && response.body !== null) {
      let text = '';
      const decoder = new TextDecoder();
      void (async () => {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
          text += decoder.decode(chunk, { stream: true });
      })().catch(() => undefined);
      return { text: () => text };
    }
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("a controller's /events", () => {
  it('is not served before its tails know where they start, so nothing committed after a connect is skipped', async () => {
    const { client, agent } = consul.get();
    const proxy = await TcpProxy.start(agent.ports.http);
    // The controller cannot reach Consul while it starts: its tails cannot read their starting heads yet.
    proxy.blackhole();
    const daemon = new ControllerDaemon({
      client: new ConsulClient({ baseUrl: `http://${proxy.address}` }),
      identity: 'tail-test',
      http: { host: '127.0.0.1', port: 0 },
    });
    const address = await daemon.start();
    if (address === undefined) throw new Error('no HTTP address');
    const stop = new AbortController();
    const connecting = connect(`http://127.0.0.1:${address.port}/events`, stop.signal);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    proxy.restore();
    const stream = await connecting;
    // Committed after the client was connected: it must arrive.
    const log = new EventLog({ client, stream: PRESENCE_STREAM });
    const [event] = await log.append([
      { type: 'CellLost', subject: 'tail-cell', observedAt: new Date().toISOString(), reason: 'Test' },
    ]);
    await waitFor(() => stream.text().includes(`id: presence:${event?.seq},`), {
      timeoutMs: 30_000,
      message: `event ${event?.seq} committed after the connect never arrived`,
    });
    expect(stream.text()).toContain('tail-cell');
    stop.abort();
    await daemon.stop();
    await proxy.close();
  });
});
