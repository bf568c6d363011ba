import type { ConsulClient } from '../consul/client.js';
import { AbortedError } from '../errors.js';
import { isAborted, type Clock } from '../time/clock.js';
import { linkSignals } from '../time/linked-signal.js';
import { candidateSessionName } from '../layout/session-names.js';
import { NO_DIRECTIVES, type Directives } from './directives.js';
import { SINGLETON_DEFAULTS } from './defaults.js';

/**
 * One candidate's view of what operators ask (paused, preferredHolder, step-down) and the decisions that
 * follow from it: may I acquire now, must I hand over now. `changed` aborts at the next change, so a
 * waiting campaign can wake on it.
 */
export class DirectiveGate {
  readonly #client: ConsulClient;
  readonly #lockKey: string;
  readonly #identity: string;
  readonly #clock: Clock;
  #current: Directives = NO_DIRECTIVES;
  #changed = new AbortController();
  /** `X-Consul-Index` of the last session list read, for the next blocking wait. */
  #sessionsIndex = 0;
  readonly #recheckMs: number;

  constructor(
    client: ConsulClient,
    lockKey: string,
    identity: string,
    clock: Clock,
    recheckMs = SINGLETON_DEFAULTS.preferenceRecheckMs,
  ) {
    this.#client = client;
    this.#lockKey = lockKey;
    this.#identity = identity;
    this.#clock = clock;
    this.#recheckMs = recheckMs;
  }

  get current(): Directives {
    return this.#current;
  }

  /** Aborts when the directives next change. */
  get changed(): AbortSignal {
    return this.#changed.signal;
  }

  update(directives: Directives): void {
    this.#current = directives;
    const changed = this.#changed;
    this.#changed = new AbortController();
    changed.abort(new AbortedError('directives changed'));
  }

  /** Whether the holder of session `sessionId` is asked to stand down right now (paused or step-down). */
  asksToStandDown(sessionId: string | undefined): boolean {
    const { paused, stepDown } = this.#current;
    return paused || (stepDown !== undefined && stepDown.session === sessionId);
  }

  /** Whether this candidate may take a free lock now: not paused, and no other preferred holder waiting. */
  async mayAcquire(signal: AbortSignal): Promise<boolean> {
    const { paused, preferredHolder } = this.#current;
    if (paused) return false;
    if (preferredHolder === undefined || preferredHolder === this.#identity) return true;
    return !(await this.#candidateWaiting(preferredHolder, signal));
  }

  /**
   * Wait until the directives change or the set of sessions changes (a preferred holder arrives or leaves;
   * a departing holder's session is destroyed), at most the recheck interval.
   */
  async pause(signal: AbortSignal): Promise<void> {
    const wake = linkSignals([signal, this.changed]);
    try {
      if (this.#sessionsIndex > 0 && this.#current.preferredHolder !== undefined) {
        const { index } = await this.#client.session.listIndexed({
          index: this.#sessionsIndex,
          waitMs: this.#recheckMs,
          signal: wake.signal,
        });
        this.#sessionsIndex = index;
      } else {
        await this.#clock.sleep(this.#recheckMs, wake.signal);
      }
    } catch {
      // Woken by a change, or the list failed: the caller looks again either way. Keep a failing list
      // from spinning.
      if (!wake.signal.aborted) await this.#clock.sleep(250, signal).catch(() => undefined);
    } finally {
      wake.dispose();
    }
  }

  /**
   * While leading: resolve `true` as soon as a different preferred holder is waiting (hand over), or
   * `false` when the term ends first.
   */
  async preferredHolderWaiting(termOver: AbortSignal): Promise<boolean> {
    while (!isAborted(termOver)) {
      const preferred = this.#current.preferredHolder;
      if (preferred !== undefined && preferred !== this.#identity) {
        const waiting = await this.#candidateWaiting(preferred, termOver).catch(() => false);
        if (waiting && !isAborted(termOver)) return true;
      }
      await this.pause(termOver);
    }
    return false;
  }

  /** Whether a candidate with this identity has a live session (it is waiting or holding). */
  async #candidateWaiting(identity: string, signal: AbortSignal): Promise<boolean> {
    const { sessions, index } = await this.#client.session.listIndexed({ signal });
    this.#sessionsIndex = index;
    return sessions.some((session) => session.name === candidateSessionName(this.#lockKey, identity));
  }
}
