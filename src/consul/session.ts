import { blockingDeadlineMs } from './blocking.js';
import type { ConsulHttp, Consistency } from './http.js';
import { InvalidSessionError } from './errors.js';
import { SessionListWireSchema, SessionWireSchema, type SessionInfo } from './wire.js';
import { z } from 'zod';
import { InvalidArgumentError } from '../errors.js';

export interface SessionCreateOptions {
  readonly name?: string;
  /** Node the session belongs to; defaults to the agent that receives the request. */
  readonly node?: string;
  /** Sent as a duration string: a bare number below 1000 would be read as seconds (consul-facts §1.2). */
  readonly lockDelayMs: number;
  readonly behavior?: 'release' | 'delete';
  /** Session TTL (Consul doubles it and floors it at session_ttl_min); omit for none. */
  readonly ttlMs?: number;
  /**
   * Node checks linked to the session. Consul's default is `["serfHealth"]`; list it yourself to keep it.
   * An empty list means no node checks at all.
   */
  readonly nodeChecks: readonly string[];
  readonly signal?: AbortSignal;
}

const CreatedSchema = z.object({ ID: z.string() });
const RenewSchema = z.array(SessionWireSchema).nullable();

/** `/v1/session`. */
export class SessionApi {
  readonly #http: ConsulHttp;

  constructor(http: ConsulHttp) {
    this.#http = http;
  }

  async create(options: SessionCreateOptions): Promise<string> {
    const path = '/v1/session/create';
    const body = {
      ...(options.name === undefined ? {} : { Name: options.name }),
      ...(options.node === undefined ? {} : { Node: options.node }),
      LockDelay: durationString(options.lockDelayMs),
      Behavior: options.behavior ?? 'release',
      ...(options.ttlMs === undefined ? {} : { TTL: durationString(options.ttlMs) }),
      NodeChecks: options.nodeChecks,
    };
    const response = await this.#http.expectOk({ method: 'PUT', path, body, signal: options.signal });
    return this.#http.parse(CreatedSchema, response, path).ID;
  }

  /**
   * Renew a TTL session. Served by the Raft leader, so a success is a server-acknowledged round trip.
   * Throws `InvalidSessionError` when the session no longer exists.
   */
  async renew(id: string, signal?: AbortSignal, timeoutMs?: number): Promise<SessionInfo> {
    const path = `/v1/session/renew/${encodeURIComponent(id)}`;
    const response = await this.#http.send({ method: 'PUT', path, signal, timeoutMs });
    if (response.status === 404) throw new InvalidSessionError(404, path, response.text);
    const [info] = this.#http.parse(RenewSchema, this.#http.check(response, path), path) ?? [];
    if (info === undefined) throw new InvalidSessionError(404, path, 'session not found');
    return info;
  }

  /** Idempotent: destroying an unknown session succeeds. */
  async destroy(id: string, signal?: AbortSignal): Promise<void> {
    await this.#http.expectOk({
      method: 'PUT',
      path: `/v1/session/destroy/${encodeURIComponent(id)}`,
      signal,
    });
  }

  /** The session, or `undefined` once it has been invalidated or destroyed. */
  async info(
    id: string,
    options: { consistency?: Consistency; signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<SessionInfo | undefined> {
    const path = `/v1/session/info/${encodeURIComponent(id)}`;
    const response = await this.#http.expectOk({ method: 'GET', path, ...options });
    return this.#http.parse(SessionListWireSchema, response, path)[0];
  }

  async list(options: { consistency?: Consistency; signal?: AbortSignal } = {}): Promise<SessionInfo[]> {
    return (await this.listIndexed(options)).sessions;
  }

  /**
   * Every session with the list's `X-Consul-Index`; with `index` > 0 a blocking query that returns when a
   * session is created or destroyed (or after `waitMs`), with a client deadline past the server's wait.
   */
  async listIndexed(
    options: { consistency?: Consistency; signal?: AbortSignal; index?: number; waitMs?: number } = {},
  ): Promise<{ sessions: SessionInfo[]; index: number }> {
    const path = '/v1/session/list';
    const blocking = options.index !== undefined && options.index > 0;
    const waitMs = options.waitMs ?? 30_000;
    const response = await this.#http.expectOk({
      method: 'GET',
      path,
      signal: options.signal,
      consistency: options.consistency,
      ...(blocking
        ? {
            query: { index: options.index, wait: durationString(waitMs) },
            timeoutMs: blockingDeadlineMs(waitMs),
          }
        : {}),
    });
    return { sessions: this.#http.parse(SessionListWireSchema, response, path), index: response.index ?? 0 };
  }
}

/** Milliseconds as a Go duration string Consul always reads the same way. */
export function durationString(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0)
    throw new InvalidArgumentError(`duration must be a non-negative number of ms, got ${ms}`);
  return `${Math.round(ms)}ms`;
}
