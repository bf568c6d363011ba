import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

const ActRequestSchema = z.object({ resource: z.string().min(1), token: z.number(), who: z.string() });

/**
 * The downstream fencing check: a tiny HTTP store that accepts an act iff its token is >= the highest
 * token it has accepted for that resource (a database with a fencing-token column). `POST /act`
 * `{ resource, token, who }` answers `{ verdict: 'accepted' | 'refused' }`.
 */
export class FencedStore {
  readonly #highest = new Map<string, number>();
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<FencedStore> {
    const server = createServer();
    const store = new FencedStore(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const parsed = ActRequestSchema.safeParse(safeJson(Buffer.concat(chunks).toString('utf8')));
        if (request.url !== '/act' || !parsed.success) {
          response.writeHead(400).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ verdict: store.admit(parsed.data.resource, parsed.data.token) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return store;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  admit(resource: string, token: number): 'accepted' | 'refused' {
    const highest = this.#highest.get(resource) ?? -Infinity;
    if (token < highest) return 'refused';
    this.#highest.set(resource, token);
    return 'accepted';
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
