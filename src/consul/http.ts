import { Agent, fetch, type RequestInit } from 'undici';
import { AbortedError } from '../errors.js';
import { isAborted } from '../time/clock.js';
import { linkSignals } from '../time/linked-signal.js';
import type { ConsulConfig } from './config.js';
import {
  ConsulHttpError,
  ConsulPermissionError,
  ConsulProtocolError,
  ConsulTimeoutError,
  ConsulUnreachableError,
} from './errors.js';
import type { z } from 'zod';

/** Consul's read consistency modes (see docs/consul-facts.md §3.6). */
export type Consistency = 'default' | 'consistent' | 'stale';

export type QueryValue = string | number | boolean | undefined;

export interface ConsulRequest {
  readonly method: 'GET' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** A string or bytes is sent as is; anything else as JSON. */
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
  /** Client-side deadline for the whole exchange. */
  readonly timeoutMs?: number | undefined;
  readonly consistency?: Consistency | undefined;
}

export interface ConsulResponse {
  readonly status: number;
  readonly text: string;
  /** `X-Consul-Index`, present on reads (and on a 404 read, so a caller can block on a missing key). */
  readonly index: number | undefined;
  readonly knownLeader: boolean | undefined;
  /** `X-Consul-Default-Acl-Policy` (`allow`/`deny`) when ACLs are on: a denied list reads as empty. */
  readonly defaultAclPolicy: string | undefined;
  /** Milliseconds from the response headers to the whole body: the transfer, not a blocking wait. */
  readonly receiveMs: number;
}

/** Counters an operator or benchmark reads to see how hard Baton leans on Consul. */
export interface ConsulRequestStats {
  requests: number;
  /** Transport failures and answers >= 400 other than a 404 (a 404 read is an expected answer). */
  errors: number;
  /** Response body bytes received (what a watch of a large prefix costs on each change). */
  responseBytes: number;
}

/** One finished exchange, for metrics: what kind of endpoint, how it ended, how long it took. */
export interface ConsulRequestObservation {
  readonly method: ConsulRequest['method'];
  /** The path with names stripped (`/v1/kv`, `/v1/session/renew`): bounded label cardinality. */
  readonly endpoint: string;
  /** HTTP status, or `'error'` for a transport failure, `'timeout'`, `'aborted'`. */
  readonly status: number | 'error' | 'timeout' | 'aborted';
  /** A long poll (`?index=`): its duration is the server's hold time, not latency. */
  readonly blocking: boolean;
  readonly durationSeconds: number;
  /** Response body bytes (0 when no answer came back). */
  readonly responseBytes: number;
}

export type ConsulRequestObserver = (observation: ConsulRequestObservation) => void;

/** Default deadline for a non-blocking call: well above a healthy round trip, well below any TTL budget. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

/**
 * The only code in Baton that performs HTTP against Consul. It maps transport failures to typed errors,
 * applies a deadline to every call (Consul issue #18271: a partitioned connection may otherwise hang for
 * minutes) and never retries: retry policy belongs to the caller, who knows what is idempotent.
 */
export class ConsulHttp {
  readonly stats: ConsulRequestStats = { requests: 0, errors: 0, responseBytes: 0 };
  readonly #config: ConsulConfig;
  readonly #dispatcher: Agent | undefined;
  readonly #observers = new Set<ConsulRequestObserver>();

  constructor(config: ConsulConfig) {
    this.#config = config;
    this.#dispatcher = connectDispatcher(config);
  }

  /** Call `observer` after every exchange; returns the function that stops it. */
  observe(observer: ConsulRequestObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  get address(): string {
    const { socketPath, baseUrl } = this.#config;
    return socketPath === undefined ? baseUrl : `unix://${socketPath}`;
  }

  async send(request: ConsulRequest): Promise<ConsulResponse> {
    const timeoutMs = request.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (request.signal?.aborted === true) throw new AbortedError(undefined, { cause: request.signal.reason });
    const linked = linkSignals([request.signal], timeoutMs);
    const url = this.#url(request);
    this.stats.requests += 1;
    const started = performance.now();
    let status: ConsulRequestObservation['status'] = 'error';
    let bytes = 0;
    try {
      const response = await fetch(url, this.#init(request, linked.signal));
      const answeredAt = performance.now();
      const text = await response.text();
      const receiveMs = performance.now() - answeredAt;
      bytes = Buffer.byteLength(text);
      this.stats.responseBytes += bytes;
      const result = {
        status: response.status,
        text,
        index: parseIndex(response.headers.get('x-consul-index')),
        knownLeader: parseBool(response.headers.get('x-consul-knownleader')),
        defaultAclPolicy: response.headers.get('x-consul-default-acl-policy') ?? undefined,
        receiveMs,
      };
      status = response.status;
      if (response.status >= 400 && response.status !== 404) this.stats.errors += 1;
      return result;
    } catch (error: unknown) {
      this.stats.errors += 1;
      if (isAborted(request.signal)) {
        status = 'aborted';
        throw new AbortedError(undefined, { cause: request.signal?.reason });
      }
      if (linked.timedOut) {
        status = 'timeout';
        throw new ConsulTimeoutError(request.path, timeoutMs, { cause: error });
      }
      throw new ConsulUnreachableError(this.address, { cause: error });
    } finally {
      linked.dispose();
      this.#notify(request, status, (performance.now() - started) / 1000, bytes);
    }
  }

  #notify(
    request: ConsulRequest,
    status: ConsulRequestObservation['status'],
    seconds: number,
    responseBytes: number,
  ): void {
    if (this.#observers.size === 0) return;
    const observation: ConsulRequestObservation = {
      method: request.method,
      endpoint: endpointClass(request.path),
      status,
      blocking: request.query?.['index'] !== undefined,
      durationSeconds: seconds,
      responseBytes,
    };
    for (const observer of this.#observers) observer(observation);
  }

  /** Send and require a 2xx answer (404 allowed when `allow404`), or throw a typed HTTP error. */
  async expectOk(request: ConsulRequest, allow404 = false): Promise<ConsulResponse> {
    return this.check(await this.send(request), request.path, allow404);
  }

  /** Return a 2xx response (or 404 when allowed); throw the typed HTTP error for anything else. */
  check(response: ConsulResponse, path: string, allow404 = false): ConsulResponse {
    if (response.status < 300 || (allow404 && response.status === 404)) return response;
    if (response.status === 403) throw new ConsulPermissionError(path, response.text);
    throw new ConsulHttpError(response.status, path, response.text);
  }

  /** Parse a JSON body with a zod schema; a mismatch is a protocol error, not a crash deep inside. */
  parse<T>(schema: z.ZodType<T>, response: ConsulResponse, path: string): T {
    return this.validate(schema, this.json(response, path), path);
  }

  /** The body as JSON (uint64 `Flags` kept exact), or a ConsulProtocolError. */
  json(response: ConsulResponse, path: string): unknown {
    try {
      return JSON.parse(quoteUint64Flags(response.text));
    } catch (cause) {
      throw new ConsulProtocolError(path, { cause });
    }
  }

  /** `json` checked against `schema`, or a ConsulProtocolError. */
  validate<T>(schema: z.ZodType<T>, json: unknown, path: string): T {
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ConsulProtocolError(path, { cause: parsed.error });
    return parsed.data;
  }

  #url(request: ConsulRequest): string {
    const url = new URL(request.path, this.#config.baseUrl);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value === undefined || value === false) continue;
      url.searchParams.set(name, value === true ? '' : String(value));
    }
    if (request.consistency === 'consistent') url.searchParams.set('consistent', '');
    if (request.consistency === 'stale') url.searchParams.set('stale', '');
    // Consul treats `?recurse=` and `?recurse` alike; strip the `=` for readable logs.
    return url.toString().replace(/=(?=&|$)/g, '');
  }

  #init(request: ConsulRequest, signal: AbortSignal): RequestInit {
    // Without it, Node's fetch asks for gzip, which Consul then spends CPU on (see `compressResponses`).
    const headers: Record<string, string> = {
      'accept-encoding': this.#config.compressResponses === true ? 'gzip' : 'identity',
    };
    if (this.#config.token !== undefined) headers['x-consul-token'] = this.#config.token;
    if (this.#config.basicAuth !== undefined) {
      headers['authorization'] = `Basic ${Buffer.from(this.#config.basicAuth).toString('base64')}`;
    }
    let body: string | Uint8Array | undefined;
    if (request.body === undefined) body = undefined;
    else if (typeof request.body === 'string' || request.body instanceof Uint8Array) body = request.body;
    else {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    return {
      method: request.method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal,
      ...(this.#dispatcher === undefined ? {} : { dispatcher: this.#dispatcher }),
    };
  }
}

function connectDispatcher(config: ConsulConfig): Agent | undefined {
  const tls = config.tls ?? {};
  if (config.caCertPem === undefined && Object.keys(tls).length === 0 && config.socketPath === undefined)
    return undefined;
  return new Agent({
    connect: {
      ...(config.socketPath === undefined ? {} : { socketPath: config.socketPath }),
      ...(config.caCertPem === undefined ? {} : { ca: config.caCertPem }),
      ...(tls.certPem === undefined ? {} : { cert: tls.certPem }),
      ...(tls.keyPem === undefined ? {} : { key: tls.keyPem }),
      ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
      ...(tls.verify === false ? { rejectUnauthorized: false } : {}),
    },
  });
}

/** Consul endpoints a name follows (`/v1/kv/<key>`, `/v1/session/info/<id>`): keep the class only. */
const NAMED_ENDPOINTS = [
  '/v1/kv',
  '/v1/session/create',
  '/v1/session/destroy',
  '/v1/session/renew',
  '/v1/session/info',
  '/v1/session/node',
  '/v1/session/list',
  '/v1/agent/check/pass',
  '/v1/agent/check/warn',
  '/v1/agent/check/fail',
  '/v1/agent/check/update',
  '/v1/agent/check/deregister',
  '/v1/agent/check/register',
  '/v1/catalog/node',
  '/v1/health/node',
  '/v1/health/checks',
  '/v1/health/service',
  '/v1/acl/token',
  '/v1/acl/policy',
];

/** The endpoint class of a request path, for a metric label that never carries a key or an id. */
export function endpointClass(path: string): string {
  for (const prefix of NAMED_ENDPOINTS) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return prefix;
  }
  const known = /^\/v1\/[a-z-]+(\/[a-z-]+)?/.exec(path);
  return known?.[0] ?? 'other';
}

function parseIndex(header: string | null): number | undefined {
  if (header === null) return undefined;
  const value = Number(header);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function parseBool(header: string | null): boolean | undefined {
  return header === null ? undefined : header === 'true';
}

/**
 * KV `Flags` is a uint64; JSON.parse would round values above 2^53 (Go's api.Lock uses 0x2ddccbc058a50c18).
 * Quote the number before parsing so the schema can read it as a bigint. Inside JSON strings quotes are
 * escaped, so an unescaped `"Flags":` can only be the field itself.
 */
function quoteUint64Flags(text: string): string {
  return text.replace(/"Flags":\s*(\d+)/g, '"Flags":"$1"');
}
