import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy a test controls, to cut a process off from Consul. `blackhole()` simulates a
 * partition: connections stay open but no byte crosses (requests hang, as with dropped packets).
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
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
      client.on('data', (chunk) => {
        if (!proxy.#blackholed) upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (!proxy.#blackholed) client.write(chunk);
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

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }
}
