import type { Consistency, ConsulHttp, ConsulRequest, QueryValue } from './http.js';
import { durationString } from './session.js';
import { InvalidSessionError } from './errors.js';
import { KvEntryWireSchema, type KvEntry } from './wire.js';
import { z } from 'zod';

export interface ReadOptions {
  readonly consistency?: Consistency;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Blocking read: return when the index moves past this (or `waitMs` passes). */
  readonly index?: number;
  readonly waitMs?: number;
}

export interface Indexed<T> {
  readonly value: T;
  /** `X-Consul-Index` of the read, usable as the `index` of a later blocking read. */
  readonly index: number;
  /** Set on `list` when ACLs are on (`deny`: what the token may not read is left out, not refused). */
  readonly defaultAclPolicy?: string;
  /**
   * Milliseconds this client spent receiving and decoding the answer once the server sent it (never the
   * blocking wait): what a watch's pacing counts as the cost of an answer. Set by `list`.
   */
  readonly costMs?: number;
}

export interface PutOptions {
  /** 0: create only if absent; N: write only if ModifyIndex is N. */
  readonly cas?: number;
  /** Acquire the key for this session (fails if another session holds it or lock-delay is active). */
  readonly acquire?: string;
  /** Release the key held by this session. */
  readonly release?: string;
  readonly flags?: bigint;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export interface DeleteOptions {
  readonly cas?: number;
  readonly recurse?: boolean;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

const KvListSchema = z.array(KvEntryWireSchema);

/** Entries decoded between two turns of the event loop when a listing is large. */
const DECODE_SLICE = 500;
const KeysSchema = z.array(z.string());
const BoolSchema = z.boolean();

/** `/v1/kv`: typed reads and writes; values are bytes (strings are encoded as UTF-8). */
export class KvApi {
  readonly #http: ConsulHttp;

  constructor(http: ConsulHttp) {
    this.#http = http;
  }

  /** One key, or `undefined` when it does not exist. */
  async get(key: string, options: ReadOptions = {}): Promise<Indexed<KvEntry | undefined>> {
    const path = kvPath(key);
    const response = await this.#http.expectOk(readRequest(path, {}, options), true);
    const index = response.index ?? 0;
    if (response.status === 404) return { value: undefined, index };
    const [entry] = this.#http.parse(KvListSchema, response, path);
    return { value: entry, index };
  }

  /** Every entry under a prefix (`?recurse`). */
  async list(prefix: string, options: ReadOptions = {}): Promise<Indexed<KvEntry[]>> {
    const path = kvPath(prefix);
    const response = await this.#http.expectOk(readRequest(path, { recurse: true }, options), true);
    const index = response.index ?? 0;
    const acl =
      response.defaultAclPolicy === undefined ? {} : { defaultAclPolicy: response.defaultAclPolicy };
    if (response.status === 404) return { value: [], index, ...acl };
    const decodingAt = performance.now();
    const json = this.#http.json(response, path);
    let busyMs = performance.now() - decodingAt;
    if (!Array.isArray(json)) return { value: this.#http.validate(KvListSchema, json, path), index, ...acl };
    // A large listing (thousands of records) is decoded in slices with the event loop let through between
    // them, so a lease's heartbeat in the same process is not held up for the whole decode.
    const value: KvEntry[] = [];
    for (let start = 0; start < json.length; start += DECODE_SLICE) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      const sliceAt = performance.now();
      value.push(...this.#http.validate(KvListSchema, json.slice(start, start + DECODE_SLICE), path));
      busyMs += performance.now() - sliceAt;
    }
    return { value, index, ...acl, costMs: response.receiveMs + busyMs };
  }

  /** Key names under a prefix (`?keys`, optionally one level with `separator`). */
  async keys(prefix: string, options: ReadOptions & { separator?: string } = {}): Promise<string[]> {
    const path = kvPath(prefix);
    const response = await this.#http.expectOk(
      readRequest(path, { keys: true, separator: options.separator }, options),
      true,
    );
    if (response.status === 404) return [];
    return this.#http.parse(KeysSchema, response, path);
  }

  /**
   * Write a value. Returns Consul's verdict: `false` for a lost CAS, an acquire refused (held elsewhere or
   * lock-delay) or a release by a non-holder. An unknown session is an error, not `false`.
   */
  async put(key: string, value: string | Uint8Array, options: PutOptions = {}): Promise<boolean> {
    const path = kvPath(key);
    const { cas, acquire, release, flags, signal, timeoutMs } = options;
    const response = await this.#http.send({
      method: 'PUT',
      path,
      query: { cas, acquire, release, flags: flags?.toString() },
      body: typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
      signal,
      timeoutMs,
    });
    if (response.status === 500 && /invalid session/i.test(response.text)) {
      throw new InvalidSessionError(500, path, response.text);
    }
    return this.#http.parse(BoolSchema, this.#http.check(response, path), path);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    const path = kvPath(key);
    const { cas, recurse, signal, timeoutMs } = options;
    const response = await this.#http.expectOk({
      method: 'DELETE',
      path,
      query: { cas, recurse },
      signal,
      timeoutMs,
    });
    return this.#http.parse(BoolSchema, response, path);
  }
}

/** Encode each path segment but keep the slashes that make the hierarchy. */
export function kvPath(key: string): string {
  return `/v1/kv/${key.split('/').map(encodeURIComponent).join('/')}`;
}

function readRequest(path: string, query: Record<string, QueryValue>, options: ReadOptions): ConsulRequest {
  const blocking = options.index !== undefined && options.index > 0;
  return {
    method: 'GET',
    path,
    query: {
      ...query,
      ...(blocking ? { index: options.index, wait: durationString(options.waitMs ?? 30_000) } : {}),
    },
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    consistency: options.consistency,
  };
}
