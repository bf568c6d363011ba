import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy a test controls, to cut a process off from Consul. `blackhole()` simulates a
 * partition: connections stay open but no byte crosses (requests hang, as with dropped packets).
 */
/** What `failNext` does to the matching request: forward it but swallow the answer, or never send it. */
export type RequestFault = 'drop-response' | 'reset';

interface ArmedFault {
  readonly requestPrefix: string;
  readonly fault: RequestFault;
  readonly hit: () => void;
}

export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #armed: ArmedFault[] = [];
  #blackholed = false;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server);
    server.on('connection', (client) => {
      proxy.#track(client);
      if (proxy.#blackholed) return;
      const upstream = connect(targetPort, '127.0.0.1');
      proxy.#track(upstream);
      let swallowAnswers = false;
      client.on('data', (chunk: Buffer) => {
        if (proxy.#blackholed) return;
        const fault = proxy.#take(chunk);
        if (fault?.fault === 'reset') {
          client.destroy();
          fault.hit();
          return;
        }
        if (fault !== undefined) {
          swallowAnswers = true;
          fault.hit();
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (!proxy.#blackholed && !swallowAnswers) client.write(chunk);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get address(): string {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy not listening');
    return `127.0.0.1:${address.port}`;
  }

  blackhole(): void {
    this.#blackholed = true;
  }

  /** End the partition: drop the hung connections (clients reconnect) and forward again. */
  restore(): void {
    this.#blackholed = false;
    for (const socket of this.#sockets) socket.destroy();
  }

  /**
   * Fault the next request whose first bytes are `requestPrefix` (e.g. `PUT /v1/txn`): `drop-response`
   * lets it reach Consul (it applies) but the client never hears back (an ambiguous commit); `reset` drops
   * the connection before Consul sees it (a transient error). Resolves when it happened.
   */
  failNext(requestPrefix: string, fault: RequestFault): Promise<void> {
    return new Promise((resolve) => this.#armed.push({ requestPrefix, fault, hit: resolve }));
  }

  #take(chunk: Buffer): ArmedFault | undefined {
    const head = chunk.subarray(0, 64).toString('latin1');
    const at = this.#armed.findIndex((armed) => head.startsWith(armed.requestPrefix));
    return at < 0 ? undefined : this.#armed.splice(at, 1)[0];
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }
}
