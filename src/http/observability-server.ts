import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { describeError } from '../errors.js';
import type { EventFeed } from '../events/event-tails.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { SseLimits } from './sse-connection.js';
import { serveEvents } from './sse-events.js';

export interface Readiness {
  readonly ready: boolean;
  /** What is not ready yet, for a person reading /readyz. */
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface ObservabilityServerOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly registry: Registry;
  /** `/healthz`: 200 while `ready`, else 503 with the detail. @default always healthy (the process answers) */
  readonly health?: () => Readiness;
  readonly readiness: () => Readiness;
  readonly status: () => Promise<unknown>;
  /** The durable event streams `/events` serves (Server-Sent Events, resumable: see `sse-cursor.ts`). */
  readonly events?: EventFeed;
  /** Per-client limits of `/events`. @default DEFAULT_SSE_LIMITS */
  readonly sse?: SseLimits;
  /** Extra GET routes (the status page): a response for a path it serves, undefined for any other. */
  readonly pages?: (path: string) => Promise<{ contentType: string; body: string } | undefined>;
  readonly logger?: Logger;
}

/** `/healthz`, `/readyz`, `/metrics`, `/status` and `/events` (SSE) on one small node:http server. */
export class ObservabilityServer {
  readonly #options: ObservabilityServerOptions;
  readonly #server: Server;
  readonly #log: Logger;

  constructor(options: ObservabilityServerOptions) {
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
    this.#server = createServer((request, response) => {
      this.#route(request, response).catch((error: unknown) => {
        this.#log.warn({ err: error, url: request.url }, 'http handler failed');
        if (!response.headersSent) send(response, 500, { error: describeError(error) });
        else response.end();
      });
    });
  }

  async listen(): Promise<AddressInfo> {
    const host = this.#options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return this.#server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET') {
      send(response, 405, { error: 'only GET is served here' });
      return;
    }
    switch (path) {
      case '/healthz': {
        const health = this.#options.health?.() ?? { ready: true, detail: {} };
        send(response, health.ready ? 200 : 503, { ok: health.ready, ...health.detail });
        return;
      }
      case '/readyz': {
        const readiness = this.#options.readiness();
        send(response, readiness.ready ? 200 : 503, readiness);
        return;
      }
      case '/metrics': {
        const body = await this.#options.registry.metrics();
        response.writeHead(200, { 'content-type': this.#options.registry.contentType });
        response.end(body);
        return;
      }
      case '/status':
        send(response, 200, await this.#options.status());
        return;
      case '/events':
        if (this.#options.events === undefined) send(response, 404, { error: 'events are not served here' });
        else await serveEvents(request, response, this.#options.events, this.#sseOptions());
        return;
      default: {
        const page = await this.#options.pages?.(path);
        if (page !== undefined) {
          response.writeHead(200, { 'content-type': page.contentType, 'cache-control': 'no-cache' });
          response.end(page.body);
          return;
        }
        send(response, 404, { error: `no route ${path}; try / /healthz /readyz /metrics /status /events` });
        return;
      }
    }
  }

  #sseOptions(): { limits?: SseLimits; logger: Logger } {
    return { ...(this.#options.sse === undefined ? {} : { limits: this.#options.sse }), logger: this.#log };
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify(body, null, 2)}\n`);
}
