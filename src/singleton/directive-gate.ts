import type { ConsulClient } from '../consul/client.js';
import { AbortedError } from '../errors.js';
import { isAborted, type Clock } from '../time/clock.js';
import { NO_DIRECTIVES, type Directives } from './directives.js';

/** How often a deferring candidate, or a holder with another preferred holder, looks again. */
const PREFERENCE_POLL_MS = 1_000;

/** The session name of a candidate: how the controller and other candidates recognise it. */
export function sessionName(singleton: string, identity: string): string {
  return `baton singleton ${singleton} (${identity})`;
}

/**
 * One candidate's view of what operators ask (paused, preferredHolder, step-down) and the decisions that
 * follow from it: may I acquire now, must I hand over now. `changed` aborts at the next change, so a
 * waiting campaign can wake on it.
 */
export class DirectiveGate {
  readonly #client: ConsulClient;
  readonly #name: string;
  readonly #identity: string;
  readonly #clock: Clock;
  #current: Directives = NO_DIRECTIVES;
  #changed = new AbortController();

  constructor(client: ConsulClient, name: string, identity: string, clock: Clock) {
    this.#client = client;
    this.#name = name;
    this.#identity = identity;
    this.#clock = clock;
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

  /** Sleep until the poll interval passes or the directives change (whichever is first). */
  async pause(signal: AbortSignal): Promise<void> {
    await this.#clock
      .sleep(PREFERENCE_POLL_MS, AbortSignal.any([signal, this.changed]))
      .catch(() => undefined);
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
    const sessions = await this.#client.session.list({ signal });
    return sessions.some((session) => session.name === sessionName(this.#name, identity));
  }
}
