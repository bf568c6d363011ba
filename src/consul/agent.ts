import type { ConsulHttp } from './http.js';
import { AgentSelfWireSchema, type AgentSelf } from './wire.js';
import { z } from 'zod';

const ChecksSchema = z.record(z.string(), z.object({ CheckID: z.string(), Status: z.string() }));
import { durationString } from './session.js';

export interface TtlCheckOptions {
  readonly id: string;
  readonly name?: string;
  readonly ttlMs: number;
  /** Initial status. Defaults to `passing` so a session can be linked at once (consul-facts §2.3). */
  readonly status?: 'passing' | 'warning' | 'critical';
  readonly notes?: string;
  readonly signal?: AbortSignal;
}

/** `/v1/agent`: endpoints that act on the agent receiving the request, not on the servers. */
export class AgentApi {
  readonly #http: ConsulHttp;

  constructor(http: ConsulHttp) {
    this.#http = http;
  }

  async self(signal?: AbortSignal): Promise<AgentSelf> {
    const path = '/v1/agent/self';
    return this.#http.parse(
      AgentSelfWireSchema,
      await this.#http.expectOk({ method: 'GET', path, signal }),
      path,
    );
  }

  /** Register a node-level TTL check. The agent's timer is exact: no 2x multiplier, no 10 s floor. */
  async registerTtlCheck(options: TtlCheckOptions): Promise<void> {
    await this.#http.expectOk({
      method: 'PUT',
      path: '/v1/agent/check/register',
      body: {
        ID: options.id,
        Name: options.name ?? options.id,
        TTL: durationString(options.ttlMs),
        Status: options.status ?? 'passing',
        ...(options.notes === undefined ? {} : { Notes: options.notes }),
      },
      signal: options.signal,
    });
  }

  /** Reset the check's TTL timer. Local to this agent: proves nothing about the servers. */
  async passCheck(id: string, signal?: AbortSignal, timeoutMs?: number): Promise<void> {
    await this.#http.expectOk({
      method: 'PUT',
      path: `/v1/agent/check/pass/${encodeURIComponent(id)}`,
      signal,
      timeoutMs,
    });
  }

  /** Mark the check critical now: every session linked to it is invalidated. */
  async failCheck(id: string, note?: string, signal?: AbortSignal): Promise<void> {
    await this.#http.expectOk({
      method: 'PUT',
      path: `/v1/agent/check/fail/${encodeURIComponent(id)}`,
      query: { note },
      signal,
    });
  }

  async deregisterCheck(id: string, signal?: AbortSignal): Promise<void> {
    await this.#http.expectOk({
      method: 'PUT',
      path: `/v1/agent/check/deregister/${encodeURIComponent(id)}`,
      signal,
    });
  }

  /** The checks registered on this agent, by ID, with their current status. */
  async checks(signal?: AbortSignal): Promise<Map<string, string>> {
    const path = '/v1/agent/checks';
    const parsed = this.#http.parse(
      ChecksSchema,
      await this.#http.expectOk({ method: 'GET', path, signal }),
      path,
    );
    return new Map(Object.values(parsed).map((check) => [check.CheckID, check.Status]));
  }
}
