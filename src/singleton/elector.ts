import { EventEmitter } from 'node:events';
import { ConsulPermissionError } from '../consul/errors.js';
import { AbortedError, ConfigError } from '../errors.js';
import { childLogger, silentLogger, type Logger } from '../log/logger.js';
import type { Lease } from '../session/lease.js';
import { CAMPAIGN_BACKOFF } from '../time/backoff.js';
import { retryUntil, type RetryAttempt } from '../time/retry.js';
import { isAborted, systemClock, type Clock } from '../time/clock.js';
import { linkSignals } from '../time/linked-signal.js';
import { ConsulHealthTracker, type ConsulHealth } from '../runtime/consul-health.js';
import { checkTiming, DEFAULT_TIMING, type SafetyBudget, type TimingProfile } from '../api/timing-profile.js';
import { defaultIdentity, holderRecord, type HolderRecord } from './holder-record.js';
import { KvLayout } from '../layout/kv-layout.js';
import { runTerm, type TermEnd } from './term.js';
import { DirectiveGate } from './directive-gate.js';
import { watchDirectives, type Directives } from './directives.js';
import { traceHandover } from '../process/handover-trace.js';
import { SINGLETON_DEFAULTS } from './defaults.js';
import {
  acquireWhenFree,
  openCandidateLease,
  type CampaignConsul,
  type CampaignContext,
} from './campaign.js';

export type { CampaignConsul } from './campaign.js';
import {
  WorkFailedError,
  type SingletonEvents,
  type SingletonOptions,
  type SingletonState,
} from './singleton-options.js';

export {
  WorkFailedError,
  type SingletonEvents,
  type SingletonOptions,
  type SingletonState,
} from './singleton-options.js';

/**
 * One candidate for a singleton. At most one candidate across all processes is `leading` at a time; the
 * others wait on a blocking query and take over as soon as Consul lets them. See docs in README
 * ("Timing model") for the guarantees and how the timing profile bounds them.
 */
export class Singleton extends EventEmitter<SingletonEvents> {
  readonly name: string;
  readonly identity: string;
  readonly timing: TimingProfile;
  readonly budget: SafetyBudget;
  readonly lockKey: string;
  readonly #layout: KvLayout;
  readonly #options: SingletonOptions;
  readonly #consul: CampaignConsul;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #stop = new AbortController();
  #interrupt = new AbortController();
  #state: SingletonState = 'stopped';
  #holder: HolderRecord | undefined;
  #running: Promise<void> | undefined;
  readonly #gate: DirectiveGate;
  readonly #campaignContext: CampaignContext;
  #sessionId: string | undefined;
  readonly #health = new ConsulHealthTracker((health) => {
    if (health.reachable) this.#log.info('Consul reachable again');
    else this.#log.warn({ err: health.lastError }, 'Consul unreachable; retrying');
    this.emit('consul', health);
  });
  /** What the work threw, when it failed on its own (not after its signal aborted). */
  #workFailure: { error: unknown } | undefined;

  constructor(options: SingletonOptions) {
    super();
    this.#options = options;
    this.#consul = options.campaignConsul ?? options.client;
    this.name = options.name;
    this.#layout = new KvLayout(options.root);
    this.lockKey = this.#layout.locks.singleton(options.name);
    this.identity = options.identity ?? defaultIdentity();
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    const checked = checkTiming(this.timing);
    if (!checked.ok) throw new ConfigError(`singleton ${options.name}: ${checked.problems.join('; ')}`);
    this.budget = checked.budget;
    this.#clock = options.clock ?? systemClock;
    this.#gate = new DirectiveGate(
      options.client,
      this.lockKey,
      this.identity,
      this.#clock,
      options.preferenceRecheckMs,
    );
    this.#log = childLogger(options.logger ?? silentLogger, {
      singleton: options.name,
      identity: this.identity,
    });
    this.#campaignContext = {
      consul: this.#consul,
      lockKey: this.lockKey,
      identity: this.identity,
      timing: this.timing,
      sessionTtlMs: options.sessionTtlMs,
      gate: this.#gate,
      clock: this.#clock,
      log: this.#log,
      leading: () => this.#state === 'leading',
      reached: () => this.#health.reached(),
      sawHolder: (holder) => this.#setHolder(holder),
    };
  }

  get state(): SingletonState {
    return this.#state;
  }

  get holder(): HolderRecord | undefined {
    return this.#holder;
  }

  /**
   * Whether this candidate reaches Consul: `reachable: false` (with `since` and `lastError`) while its
   * requests find no agent (it keeps retrying, in state `starting` or `waiting`); flips back at the first
   * answer. Changes are also emitted as `consul` events.
   */
  get consul(): ConsulHealth {
    return this.#health.current;
  }

  get directives(): Directives {
    return this.#gate.current;
  }

  /**
   * Campaign until stopped. Resolves when the candidate has fully stopped (lock released). Rejects, with
   * the state `failed`, when the work threw (`WorkFailedError`, the work's error as `cause`) or the
   * token lacks a permission a candidate needs (`ConsulPermissionError`); the lock is released first.
   */
  start(signal?: AbortSignal): Promise<void> {
    if (this.#running !== undefined) return this.#running;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.#setState('starting');
    this.#running = this.#run().then(
      () => this.#setState('stopped'),
      (error: unknown) => {
        this.#log.error({ err: error }, 'singleton failed');
        this.#setState('failed');
        throw error;
      },
    );
    return this.#running;
  }

  /** `await using singleton = new Singleton(…)`: stops (releasing the lock) when the block exits. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Clean shutdown: stop the work, release the lock, destroy the session. */
  async stop(): Promise<void> {
    traceHandover('stop-requested');
    if (this.#state !== 'stopped') this.#setState('stopping');
    // The term first: its work gets its abort (a command its SIGTERM) before anything else runs.
    this.#interrupt.abort('stop');
    this.#stop.abort(new AbortedError('stop requested'));
    await this.#running?.catch(() => undefined);
  }

  /** Hand over now if leading: stop the work, release the lock, and wait a while before campaigning again. */
  stepDown(): void {
    if (this.#state === 'leading') this.#interrupt.abort('step-down');
  }

  async #run(): Promise<void> {
    const watching =
      this.#options.directives === false
        ? Promise.resolve()
        : watchDirectives(
            this.#options.client,
            this.name,
            this.#layout.singletons,
            (d) => this.#onDirectives(d),
            this.#stop.signal,
          );
    try {
      await this.#campaignUntilStopped();
      if (this.#workFailure !== undefined)
        throw new WorkFailedError(this.name, { cause: this.#workFailure.error });
    } finally {
      this.#stop.abort(new AbortedError('stopped'));
      await watching.catch((error: unknown) => {
        this.#log.warn({ err: error }, 'directive watch ended');
      });
    }
  }

  #onDirectives(directives: Directives): void {
    this.#gate.update(directives);
    this.emit('directives', directives);
    if (this.#state === 'leading' && this.#gate.asksToStandDown(this.#sessionId)) {
      this.#log.info({ paused: directives.paused, stepDown: directives.stepDown }, 'handing over on request');
      this.stepDown();
    }
  }

  async #campaignUntilStopped(): Promise<void> {
    await retryUntil((attempt) => this.#campaignRound(attempt), {
      signal: this.#stop.signal,
      clock: this.#clock,
      policy: CAMPAIGN_BACKOFF,
      // A token without the permissions a candidate needs will not get them by retrying: fail loudly.
      retryable: (error) => !(error instanceof ConsulPermissionError),
      onError: (error, failures) => {
        this.#health.failed(error);
        this.#log.warn({ err: error, failures }, 'campaign error; retrying');
      },
    });
  }

  /** One lease: open it, campaign on it until the term or the lease ends, close it. `undefined`: again. */
  async #campaignRound(attempt: RetryAttempt): Promise<undefined> {
    let lease: Lease | undefined;
    const held = { key: false };
    try {
      lease = await this.#openLease();
      this.#health.reached();
      attempt.progressed();
      this.#setState('waiting');
      const end = await this.#campaign(lease, () => (held.key = true));
      if (end === 'work-finished' || end === 'work-failed') this.#stop.abort(new AbortedError(end));
      if (end === 'step-down') {
        await lease.close([this.lockKey]);
        held.key = false;
        await this.#clock
          .sleep(this.#options.stepDownBackoffMs ?? SINGLETON_DEFAULTS.stepDownBackoffMs, this.#stop.signal)
          .catch(() => undefined);
      }
      return undefined;
    } finally {
      await lease?.close(held.key ? [this.lockKey] : []);
      if (held.key) this.#setHolder(undefined);
    }
  }

  #openLease(): Promise<Lease> {
    return openCandidateLease(this.#campaignContext, this.#stop.signal);
  }

  /** Wait for the key to be free, acquire it, and run a term. Returns how the term (if any) ended. */
  async #campaign(lease: Lease, onAcquired: () => void): Promise<TermEnd | 'lease-lost' | 'stop'> {
    // Linked signals are disposed: composing long-lived signals per loop turn with AbortSignal.any leaks.
    const linked = linkSignals([this.#stop.signal, lease.lost]);
    try {
      this.#sessionId = lease.sessionId;
      const acquired = await acquireWhenFree(this.#campaignContext, lease, onAcquired, linked.signal);
      if (acquired !== undefined) return await this.#lead(lease, acquired.token, acquired.sentAt);
      return isAborted(this.#stop.signal) ? 'stop' : 'lease-lost';
    } finally {
      linked.dispose();
    }
  }

  async #lead(lease: Lease, token: number, acquiredSentAt: number): Promise<TermEnd> {
    this.#interrupt = new AbortController();
    if (isAborted(this.#stop.signal)) this.#interrupt.abort('stop');
    this.#setState('leading');
    this.#setHolder({ ...holderRecord(this.identity, lease.sessionId) });
    this.#log.info({ token }, 'started leading');
    // A pause or step-down that landed between the acquire and now was seen while not leading: obey it
    // now (the term then ends before the work starts), rather than ignore it for the whole term.
    if (this.#gate.asksToStandDown(lease.sessionId)) {
      this.#log.info('asked to stand down before the term started; handing over');
      this.stepDown();
    }
    const termOver = new AbortController();
    const termLinked = linkSignals([this.#interrupt.signal, termOver.signal]);
    const preference = this.#gate.preferredHolderWaiting(termLinked.signal).then((waiting) => {
      if (!waiting) return;
      this.#log.info(
        { preferred: this.#gate.current.preferredHolder },
        'handing over to the preferred holder',
      );
      this.stepDown();
    });
    const end = await runTerm(
      {
        client: this.#options.client,
        lease,
        name: this.name,
        identity: this.identity,
        lockKey: this.lockKey,
        token,
        acquiredSentAt,
        budget: this.budget,
        killGraceMs: this.timing.killGraceMs,
        clock: this.#clock,
        log: this.#log,
        interrupt: this.#interrupt.signal,
      },
      async (leadership) => {
        try {
          traceHandover('work-started');
          await this.#options.work(leadership);
        } catch (error: unknown) {
          if (!leadership.signal.aborted) this.#workFailure = { error };
          throw error;
        }
      },
    );
    traceHandover('term-ended');
    // The work is gone (runTerm awaited it): release the key and end the lease now, before any bookkeeping,
    // so a waiter wakes at once. The campaign round's own close() then waits on this same close.
    const closed = lease.close([this.lockKey]);
    termOver.abort();
    await preference;
    termLinked.dispose();
    this.#log.info({ token, end }, 'stopped leading');
    this.emit('term', { token, end });
    if (!isAborted(this.#stop.signal)) this.#setState('stopping');
    await closed;
    return end;
  }

  #setState(state: SingletonState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state);
  }

  #setHolder(holder: HolderRecord | undefined): void {
    if (holder?.session === this.#holder?.session && holder?.identity === this.#holder?.identity) return;
    this.#holder = holder;
    this.emit('holder', holder);
  }
}
