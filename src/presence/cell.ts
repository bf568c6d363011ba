import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ConsulHttpError, InvalidSessionError, TxnRollbackError } from '../consul/errors.js';
import { AbortedError, InvalidStateError } from '../errors.js';
import { childLogger, silentLogger, type Logger } from '../log/logger.js';
import { Lease } from '../session/lease.js';
import { backoffMs } from '../time/backoff.js';
import { retryUntil } from '../time/retry.js';
import { untilAborted } from '../time/until-aborted.js';
import { ConsulHealthTracker, type ConsulHealth } from '../runtime/consul-health.js';
import { isAborted, systemClock, type Clock } from '../time/clock.js';
import { assertRegistrationSize, type CellRegistration, type CellSpec } from './cell-registration.js';
import { KvLayout } from '../layout/kv-layout.js';
import type { PresenceKeys } from '../layout/presence-keys.js';
import { CELL_DEFAULTS } from './defaults.js';
import { departCell } from './cell-departure.js';
import {
  CellIdConflictError,
  PresenceLostError,
  confirmKeyHeld,
  parseSpec,
  type CellEvents,
  type CellOptions,
  type CellState,
} from './cell-options.js';

export {
  CellIdConflictError,
  PresenceLostError,
  type CellEvents,
  type CellOptions,
  type CellState,
  type PresenceConfirm,
} from './cell-options.js';

/** Process start, shared by every incarnation of every cell in this process. */
const PROCESS_STARTED_AT = new Date(performance.timeOrigin).toISOString();

/**
 * A cell's presence: a Lease (session with `Behavior: delete`, lock-delay 0, linked to a heartbeated TTL
 * check) holding `cells/<id>`. Hard death: the check goes critical after `checkTtlMs`, the session and
 * key vanish, the watcher reports CellLost. `stop()`: one transaction deletes the key and writes a
 * departure record, the watcher reports CellDeparted. If the session dies while the process lives, the
 * cell registers again under a new incarnation (the old one is reported lost: its work may have moved).
 */
export class Cell extends EventEmitter<CellEvents> {
  readonly id: string;
  readonly key: string;
  readonly #options: CellOptions;
  readonly #keys: PresenceKeys;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #health = new ConsulHealthTracker((health) => this.emit('consul', health));
  readonly #supervisor = new AbortController();
  #spec: CellSpec;
  #state: CellState = 'idle';
  #lease: Lease | undefined;
  #registration: CellRegistration | undefined;
  #loop: Promise<void> = Promise.resolve();

  constructor(options: CellOptions) {
    super();
    this.#spec = parseSpec(options.spec);
    assertRegistrationSize(this.#registrationOf(randomUUID(), PROCESS_STARTED_AT));
    this.#options = options;
    this.#keys = new KvLayout(options.root).presence;
    this.id = this.#spec.id;
    this.key = this.#keys.cell(this.id);
    this.#clock = options.clock ?? systemClock;
    this.#log = childLogger(options.logger ?? silentLogger, { cell: this.id });
  }

  /**
   * Whether this cell reaches Consul: `reachable: false` while re-registration finds no agent (state
   * `registering`), back to true at the first answer. (`start()` itself rejects when Consul is unreachable.)
   */
  get consul(): ConsulHealth {
    return this.#health.current;
  }

  get state(): CellState {
    return this.#state;
  }

  /** The registration currently held (undefined while not registered). */
  get registration(): CellRegistration | undefined {
    return this.#registration;
  }

  get sessionId(): string | undefined {
    return this.#lease?.sessionId;
  }

  /** Register, then keep the registration alive (re-registering after a lost session) until `stop()`. */
  async start(signal?: AbortSignal): Promise<CellRegistration> {
    if (this.#state !== 'idle')
      throw new InvalidStateError(`cell ${this.id} already started (state ${this.#state})`);
    const combined =
      signal === undefined ? this.#supervisor.signal : AbortSignal.any([signal, this.#supervisor.signal]);
    this.#setState('registering');
    try {
      const registration = await this.#registerRetrying(combined);
      this.#setState('running');
      this.#loop = this.#supervise(this.#supervisor.signal);
      return registration;
    } catch (error: unknown) {
      this.#setState('failed');
      throw error;
    }
  }

  /** Change what the cell advertises (same incarnation: watchers see CellUpdated). */
  async update(changes: Partial<Omit<CellSpec, 'id'>>, signal?: AbortSignal): Promise<CellRegistration> {
    const lease = this.#lease;
    const current = this.#registration;
    if (lease === undefined || current === undefined)
      throw new InvalidStateError(`cell ${this.id} is not registered`);
    const spec = parseSpec({ ...this.#spec, ...changes, id: this.id });
    const next: CellRegistration = {
      ...spec,
      incarnation: current.incarnation,
      startedAt: current.startedAt,
    };
    assertRegistrationSize(next);
    if (!(await this.#claim(next, lease.sessionId, signal)))
      throw new PresenceLostError(`cell ${this.id}: presence key no longer held; update not applied`);
    this.#spec = spec;
    this.#registration = next;
    return next;
  }

  #registrationOf(incarnation: string, startedAt: string): CellRegistration {
    return { ...this.#spec, incarnation, startedAt };
  }

  /**
   * Take (or rewrite) the presence key with `sessionId` and, in the same transaction, the incarnation
   * record that outlives the session: a watcher that never saw this incarnation live still reports its
   * end. False when another session holds the key.
   */
  async #claim(registration: CellRegistration, sessionId: string, signal?: AbortSignal): Promise<boolean> {
    const value = JSON.stringify(registration);
    try {
      await this.#options.client.txn.run(
        [
          { verb: 'lock', key: this.key, value, session: sessionId },
          { verb: 'set', key: this.#keys.incarnation(this.id, registration.incarnation), value },
        ],
        signal,
      );
      return true;
    } catch (error: unknown) {
      if (!(error instanceof TxnRollbackError)) throw error;
      const invalid = error.errors.find((e) => /invalid session/i.test(e.what));
      if (invalid !== undefined) throw new InvalidSessionError(409, '/v1/txn', invalid.what);
      return false;
    }
  }

  /**
   * Depart cleanly: one transaction deletes the presence key (only if this session still holds it) and the
   * incarnation record and writes `departures/<id>/<incarnation>`, so watchers report CellDeparted, never
   * CellLost. A timeout or transient error is retried until `departTimeoutMs`; a retry that finds the key
   * gone reads back whether an earlier attempt committed. Then the session and check are removed.
   * Idempotent.
   */
  async stop(reason = 'Stopped'): Promise<void> {
    await this.#end((lease, registration) => this.#depart(lease, registration, reason));
  }

  /** `await using cell = new Cell(…)`: departs cleanly (`stop()`) when the block exits. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Leave without a departure record: watchers report CellLost (e.g. the cell's workload crashed). */
  async abandon(): Promise<void> {
    await this.#end(() => Promise.resolve());
  }

  async #end(depart: (lease: Lease, registration: CellRegistration) => Promise<void>): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    this.#setState('stopping');
    this.#supervisor.abort();
    await this.#loop;
    const lease = this.#lease;
    const registration = this.#registration;
    if (lease !== undefined && registration !== undefined && !lease.lost.aborted)
      await depart(lease, registration);
    await lease?.close([]);
    this.#lease = undefined;
    this.#registration = undefined;
    this.#setState('stopped');
  }

  /**
   * `uncertainClaim`: the registration itself may not have committed (a claim cancelled in flight), so a key
   * that is not ours means there was nothing to withdraw rather than a lost session.
   */
  async #depart(
    lease: Lease,
    registration: CellRegistration,
    reason: string,
    uncertainClaim = false,
  ): Promise<void> {
    await departCell({
      client: this.#options.client,
      keys: this.#keys,
      clock: this.#clock,
      log: this.#log,
      timeoutMs: this.#options.departTimeoutMs ?? CELL_DEFAULTS.departTimeoutMs,
      sessionId: lease.sessionId,
      registration,
      reason,
      uncertainClaim,
    });
  }

  /**
   * A session can die before its first heartbeat lands (an overloaded host missing the check TTL): that
   * is worth a few fresh leases. Anything else (Consul unreachable, a duplicate id) fails at once.
   */
  async #registerRetrying(signal: AbortSignal): Promise<CellRegistration> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#register(signal);
      } catch (error: unknown) {
        if (!(error instanceof InvalidSessionError) || attempt >= 5) throw error;
        this.#log.warn({ attempt }, 'session died during registration; retrying with a new one');
      }
    }
  }

  async #register(signal: AbortSignal): Promise<CellRegistration> {
    const { client } = this.#options;
    const registration = this.#registrationOf(randomUUID(), PROCESS_STARTED_AT);
    let holding = false;
    const confirm = this.#options.confirm ?? confirmKeyHeld(client);
    const lease = await Lease.open(
      {
        client,
        name: `baton cell ${this.id}`,
        checkTtlMs: this.#options.checkTtlMs ?? CELL_DEFAULTS.checkTtlMs,
        heartbeatIntervalMs: this.#options.heartbeatIntervalMs ?? CELL_DEFAULTS.heartbeatIntervalMs,
        lockDelayMs: 0,
        behavior: 'delete',
        // Until the key is ours, "alive" means the session exists; after, that it still holds the key.
        confirm: async (l, s, timeoutMs) =>
          holding
            ? confirm(this.key, l.sessionId, s, timeoutMs)
            : (await client.session.info(l.sessionId, {
                consistency: 'consistent',
                signal: s,
                timeoutMs,
              })) !== undefined,
        logger: this.#log,
        clock: this.#clock,
      },
      signal,
    );
    // True while a claim is in flight or its outcome unknown: it may have committed on the server.
    let mayHoldKey = false;
    try {
      const startedAt = this.#clock.now();
      const timeoutMs = this.#options.acquireTimeoutMs ?? CELL_DEFAULTS.acquireTimeoutMs;
      for (let attempt = 1; ; attempt += 1) {
        mayHoldKey = true;
        if (await this.#claim(registration, lease.sessionId, signal)) break;
        mayHoldKey = false;
        const waited = this.#clock.now() - startedAt;
        if (waited >= timeoutMs) throw new CellIdConflictError(this.id, Math.round(waited));
        if (attempt === 1) this.#log.warn('presence key held by another session; waiting for it to expire');
        await this.#clock.sleep(Math.min(250, backoffMs(attempt, { baseMs: 50, maxMs: 250 })), signal);
      }
    } catch (error: unknown) {
      // Cancelled (or failed) while a claim may have committed: withdraw it as a departure, so a stop
      // during registration reads as CellDeparted, never as CellLost. An answer from Consul (a refusal:
      // 403, an invalid session) means the transaction did not commit: nothing to withdraw.
      if (mayHoldKey && !(error instanceof ConsulHttpError))
        await this.#depart(lease, registration, 'RegistrationCancelled', true);
      await lease.close([]);
      throw error;
    }
    holding = true;
    this.#lease = lease;
    this.#registration = registration;
    this.#log.info({ incarnation: registration.incarnation, session: lease.sessionId }, 'cell registered');
    this.emit('registered', registration);
    return registration;
  }

  async #supervise(signal: AbortSignal): Promise<void> {
    while (!isAborted(signal)) {
      const lease = this.#lease;
      if (lease === undefined) return;
      await untilAborted(AbortSignal.any([lease.lost, signal]));
      if (isAborted(signal)) return;
      const incarnation = this.#registration?.incarnation ?? 'unknown';
      this.#log.warn({ incarnation }, 'presence session lost; registering a new incarnation');
      this.#registration = undefined;
      this.#lease = undefined;
      this.emit('lost', { incarnation, reason: 'session lost' });
      this.#setState('registering');
      await lease.close([]);
      const registered = await retryUntil(() => this.#register(signal), {
        signal,
        clock: this.#clock,
        retryable: (error) => !(error instanceof AbortedError),
        onError: (error, failures) => {
          this.#health.failed(error);
          this.#log.warn({ err: error, failures }, 're-registration failed; retrying');
        },
      }).catch((error: unknown) => {
        if (error instanceof AbortedError) return undefined;
        throw error;
      });
      if (registered === undefined) return;
      this.#health.reached();
      this.#setState('running');
    }
  }

  #setState(state: CellState): void {
    this.#state = state;
    this.emit('state', state);
  }
}
