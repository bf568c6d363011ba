import { randomUUID } from 'node:crypto';
import { ConsulHttpError, ConsulPermissionError, InvalidSessionError } from '../consul/errors.js';
import { AbortedError } from '../errors.js';
import { childLogger, silentLogger, type Logger } from '../log/logger.js';
import { isAborted, systemClock, type Clock } from '../time/clock.js';
import { traceHandover } from '../process/handover-trace.js';
import { LEASE_DEFAULTS } from './defaults.js';
import type { LeaseConsul } from './lease-consul.js';

/** Prefix of every agent check Baton registers; dead ones are garbage-collected by later leases. */
export const CHECK_PREFIX = 'baton-lease-';

export interface LeaseOptions {
  /** The Consul calls the lease makes: a `ConsulClient`, or any `LeaseConsul` (fake-time tests). */
  readonly client: LeaseConsul;
  /** Session name shown by `consul operator` tools, e.g. `baton singleton converger`. */
  readonly name: string;
  /** TTL of the agent check linked to the session (exact, no 2x; consul-facts §2.3). */
  readonly checkTtlMs: number;
  /** How often the check is passed and the servers are asked to confirm. */
  readonly heartbeatIntervalMs: number;
  /**
   * Server-side backstop: the session also carries this TTL and is renewed every third of it, so the
   * servers destroy it within 2 × TTL of the last renewal (consul-facts §1.3) even when the agent cannot
   * sync the failing check (a revoked token, a wedged agent). Must be within the servers'
   * `session_ttl_min` (default 10 s) and 24 h. Renewals ride on heartbeats, so a slow heartbeat needs a
   * longer TTL. @default the larger of LEASE_DEFAULTS.sessionTtlMs and 3 × heartbeatIntervalMs
   */
  readonly sessionTtlMs?: number;
  /** Lock-delay armed on keys this session holds when it dies (0 for presence keys). */
  readonly lockDelayMs: number;
  /** `release` keeps held keys on invalidation (locks); `delete` removes them (presence). */
  readonly behavior: 'release' | 'delete';
  /**
   * A server-acknowledged round trip proving the lease still stands: true = confirmed, false = gone.
   * Defaults to a consistent read of the session. A lock holder passes a consistent read of its key.
   * @default session info with `?consistent`
   */
  readonly confirm?: (lease: Lease, signal: AbortSignal, timeoutMs: number) => Promise<boolean>;
  /** Where this component logs (pino; a child logger is derived). @default silentLogger: quiet */
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export type LeaseEvent =
  | { readonly type: 'confirmed'; readonly sentAt: number }
  /** A heartbeat round whose check pass or confirmation failed and will be retried. */
  | { readonly type: 'heartbeat-failed'; readonly error: unknown }
  | { readonly type: 'lost'; readonly reason: string };

const openedListeners = new WeakMap<LeaseConsul, Set<(lease: Lease) => void>>();

/** Be told of every lease opened on `client` from now on (metrics); returns the function that stops it. */
export function observeLeases(client: LeaseConsul, listener: (lease: Lease) => void): () => void {
  const listeners = openedListeners.get(client) ?? new Set();
  openedListeners.set(client, listeners);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * A Consul session tied to an agent TTL check that this process heartbeats: the one liveness mechanism
 * behind singletons and presence. Hard death of the process stops the heartbeats, the agent marks the
 * check critical after `checkTtlMs`, and the servers invalidate the session; death of the agent's node
 * trips `serfHealth`. A clean `close()` releases what it holds first, so no lock-delay applies.
 *
 * `confirmedAt` is the send time of the last round trip the servers acknowledged; `lost` aborts when the
 * servers say the session is gone. Transient errors only log: the caller's safety budget decides.
 */
export class Lease {
  readonly sessionId: string;
  readonly checkId: string;
  readonly options: LeaseOptions;
  readonly #lost = new AbortController();
  #closing: Promise<void> | undefined;
  readonly #listeners = new Set<(event: LeaseEvent) => void>();
  readonly #clock: Clock;
  readonly #log: Logger;
  #confirmedAt: number;
  #loop: Promise<void> = Promise.resolve();

  private constructor(options: LeaseOptions, sessionId: string, checkId: string, openedAt: number) {
    this.options = options;
    this.sessionId = sessionId;
    this.checkId = checkId;
    this.#clock = options.clock ?? systemClock;
    this.#log = childLogger(options.logger ?? silentLogger, { session: sessionId, check: checkId });
    this.#confirmedAt = openedAt;
  }

  /** Register a passing TTL check, create a session linked to it and serfHealth, start heartbeating. */
  static async open(options: LeaseOptions, signal?: AbortSignal): Promise<Lease> {
    const { client } = options;
    const clock = options.clock ?? systemClock;
    if (collectionDue(client, clock.now())) {
      await collectDeadChecks(client, signal).catch((error: unknown) => {
        options.logger?.debug({ err: error }, 'dead check collection failed');
      });
    }
    const checkId = `${CHECK_PREFIX}${randomUUID()}`;
    const openedAt = clock.now();
    await client.agent.registerTtlCheck({
      id: checkId,
      name: `Baton lease: ${options.name}`,
      ttlMs: options.checkTtlMs,
      status: 'passing',
      ...(signal === undefined ? {} : { signal }),
    });
    let sessionId: string;
    try {
      sessionId = await client.session.create({
        name: options.name,
        ttlMs: sessionTtlOf(options),
        lockDelayMs: options.lockDelayMs,
        behavior: options.behavior,
        nodeChecks: ['serfHealth', checkId],
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error: unknown) {
      await client.agent.deregisterCheck(checkId).catch(() => undefined);
      throw error;
    }
    const lease = new Lease(options, sessionId, checkId, openedAt);
    for (const listener of openedListeners.get(client) ?? []) listener(lease);
    lease.#loop = lease.#heartbeat();
    return lease;
  }

  /** Aborts when the servers report the session gone, or the lease is closed. */
  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  /** Monotonic send time of the last server-confirmed round trip (creation counts as the first). */
  get confirmedAt(): number {
    return this.#confirmedAt;
  }

  /** Milliseconds since the last server-confirmed round trip was sent, on the lease's clock. */
  confirmationAgeMs(): number {
    return this.#clock.now() - this.#confirmedAt;
  }

  /** Listen for confirmations and loss; returns an unsubscribe function. */
  on(listener: (event: LeaseEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * End the lease cleanly: release `keys` (no lock-delay for released keys), then destroy the session and
   * deregister the check. Best effort and idempotent: a dead Consul only means the TTL will do it. A
   * second call returns the first call's promise (its keys are the ones released).
   */
  close(keys: readonly string[] = []): Promise<void> {
    this.#closing ??= this.#close(keys);
    return this.#closing;
  }

  async #close(keys: readonly string[]): Promise<void> {
    this.#markLost('closed');
    const { client } = this.options;
    // The releases go out at once, beside the heartbeat still in flight (its answer is ignored now that
    // the lease is lost): a waiter wakes on the release, so nothing may queue in front of it.
    const released = Promise.all(
      keys.map((key) =>
        // The empty value stays after the release: the durable mark of a clean end (`endedTerm`).
        client.kv.put(key, '', { release: this.sessionId, timeoutMs: 2_000 }).then(
          () => traceHandover('release-acked'),
          (error: unknown) => this.#log.warn({ key, err: error }, 'release on close failed'),
        ),
      ),
    );
    await Promise.all([this.#loop, released]);
    await client.session.destroy(this.sessionId).catch((error: unknown) => {
      this.#log.warn({ err: error }, 'session destroy on close failed');
    });
    traceHandover('destroy-acked');
    await client.agent.deregisterCheck(this.checkId).catch(() => undefined);
  }

  #markLost(reason: string): void {
    if (this.#lost.signal.aborted) return;
    this.#lost.abort(new AbortedError(`lease lost: ${reason}`));
    if (reason !== 'closed') this.#log.warn({ reason }, 'lease lost');
    this.#emit({ type: 'lost', reason });
  }

  #emit(event: LeaseEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  async #heartbeat(): Promise<void> {
    const { client, heartbeatIntervalMs } = this.options;
    const confirm = this.options.confirm ?? confirmSessionExists;
    const renewEveryMs = sessionTtlOf(this.options) / 3;
    const signal = this.#lost.signal;
    let renewedAt = this.#clock.now();
    while (!isAborted(signal)) {
      const sentAt = this.#clock.now();
      const renewing = sentAt - renewedAt >= renewEveryMs;
      const [passed, confirmed, renewed] = await Promise.allSettled([
        client.agent.passCheck(this.checkId, signal, heartbeatIntervalMs),
        confirm(this, signal, heartbeatIntervalMs),
        renewing ? client.session.renew(this.sessionId, signal, heartbeatIntervalMs) : Promise.resolve(),
      ]);
      if (isAborted(signal)) return;
      if (renewed.status === 'fulfilled' && renewing) renewedAt = sentAt;
      for (const result of [passed, renewed, confirmed]) {
        if (result.status === 'rejected' && result.reason instanceof ConsulPermissionError) {
          // A revoked or expired token will not heal by retrying, and the agent can no longer sync the
          // check either: end the lease loudly; the session TTL backstop ends it on the servers.
          this.#log.error({ err: result.reason }, 'lease heartbeat refused: permission denied');
          this.#markLost('permission denied');
          return;
        }
      }
      if (passed.status === 'rejected') this.#onPassFailure(passed.reason);
      const failed = [passed, confirmed].find((result) => result.status === 'rejected');
      if (failed !== undefined) this.#emit({ type: 'heartbeat-failed', error: failed.reason });
      if (renewed.status === 'rejected' && renewed.reason instanceof InvalidSessionError) {
        this.#markLost('session invalidated');
      } else if (confirmed.status === 'fulfilled' && confirmed.value) {
        this.#confirmedAt = Math.max(this.#confirmedAt, sentAt);
        this.#emit({ type: 'confirmed', sentAt });
      } else if (confirmed.status === 'fulfilled') {
        this.#markLost('servers no longer confirm the lease');
      } else if (confirmed.reason instanceof InvalidSessionError) {
        this.#markLost('session invalidated');
      } else {
        this.#log.debug({ err: confirmed.reason }, 'confirmation failed; retrying');
      }
      const elapsed = this.#clock.now() - sentAt;
      await this.#clock.sleep(Math.max(0, heartbeatIntervalMs - elapsed), signal).catch(() => undefined);
    }
  }

  #onPassFailure(error: unknown): void {
    // The agent forgot the check (deregistered, or it restarted without it): the session is doomed.
    if (
      error instanceof ConsulHttpError &&
      /does not have associated TTL|not found|unknown check/i.test(error.consulMessage)
    ) {
      this.#markLost('check no longer registered');
      return;
    }
    this.#log.debug({ err: error }, 'check pass failed; retrying');
  }
}

async function confirmSessionExists(lease: Lease, signal: AbortSignal, timeoutMs: number): Promise<boolean> {
  const info = await lease.options.client.session.info(lease.sessionId, {
    consistency: 'consistent',
    signal,
    timeoutMs,
  });
  return info !== undefined;
}

/** How often one process sweeps its agent for dead Baton checks (listing all checks is O(checks)). */
const COLLECTION_INTERVAL_MS = 60_000;
const lastCollection = new WeakMap<LeaseConsul, number>();

/** At most one sweep per client per interval, so opening N leases costs O(N), not O(N²). */
function collectionDue(client: LeaseConsul, now: number): boolean {
  const last = lastCollection.get(client);
  if (last !== undefined && now - last < COLLECTION_INTERVAL_MS) return false;
  lastCollection.set(client, now);
  return true;
}

/**
 * A critical Baton check belongs to a lease whose session is already invalidated (critical checks
 * invalidate linked sessions), so it is garbage: its process died or is about to open a new lease.
 */
async function collectDeadChecks(client: LeaseConsul, signal?: AbortSignal): Promise<void> {
  const checks = await client.agent.checks(signal);
  for (const [id, status] of checks) {
    if (id.startsWith(CHECK_PREFIX) && status === 'critical') await client.agent.deregisterCheck(id, signal);
  }
}

/**
 * The session's TTL: as given, else the default, raised to 3 heartbeats when heartbeats are slow (renewals
 * are sent with heartbeats, and the servers destroy a session 2 × TTL after its last renewal).
 */
export function sessionTtlOf(options: Pick<LeaseOptions, 'sessionTtlMs' | 'heartbeatIntervalMs'>): number {
  return options.sessionTtlMs ?? Math.max(LEASE_DEFAULTS.sessionTtlMs, 3 * options.heartbeatIntervalMs);
}
