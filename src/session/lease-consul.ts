import type { TtlCheckOptions } from '../consul/agent.js';
import type { PutOptions } from '../consul/kv.js';
import type { Consistency } from '../consul/http.js';
import type { SessionCreateOptions } from '../consul/session.js';

/**
 * The few Consul calls a `Lease` makes, and nothing else: its agent check, its session, and the release of
 * the keys it held. A `ConsulClient` is one (the one every caller passes); fake-time unit tests pass a
 * small fake, the way `runTerm` takes a `TermLease`. Each method keeps the client's contract: a session
 * the servers no longer know is an `InvalidSessionError` from `renew`, `undefined` from `info`.
 */
export interface LeaseConsul {
  readonly agent: {
    registerTtlCheck(options: TtlCheckOptions): Promise<void>;
    passCheck(id: string, signal?: AbortSignal, timeoutMs?: number): Promise<void>;
    deregisterCheck(id: string, signal?: AbortSignal): Promise<void>;
    /** Every check on the agent, by ID, with its status (`passing`, `critical`, …). */
    checks(signal?: AbortSignal): Promise<ReadonlyMap<string, string>>;
  };
  readonly session: {
    create(options: SessionCreateOptions): Promise<string>;
    renew(id: string, signal?: AbortSignal, timeoutMs?: number): Promise<unknown>;
    destroy(id: string, signal?: AbortSignal): Promise<void>;
    /** The session, or `undefined` once it is gone. */
    info(
      id: string,
      options: { consistency?: Consistency; signal?: AbortSignal; timeoutMs?: number },
    ): Promise<unknown>;
  };
  readonly kv: {
    put(key: string, value: string, options: PutOptions): Promise<boolean>;
  };
}
