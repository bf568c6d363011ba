import { AbortedError } from '../errors.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { linkSignals } from '../time/linked-signal.js';
import { untilAborted } from '../time/until-aborted.js';
import { NotReadyError, type Runnable } from './runnable.js';

export interface GroupMember {
  readonly runnable: Runnable;
  /** Start the next member only once this one called `ready()`. @default false */
  readonly waitReady?: boolean;
}

export interface RunnableGroupOptions {
  /** Names the group in logs (and as a member of a bigger group). */
  readonly name: string;
  /** Started in this order, stopped in the reverse order. */
  readonly members: readonly GroupMember[];
  /** @default silentLogger */
  readonly logger?: Logger;
}

interface Started {
  readonly name: string;
  readonly stop: AbortController;
  readonly settled: Promise<void>;
}

/**
 * Parts that live and die together (in the spirit of controller-runtime's runnable groups). `run` starts
 * the members in order, waiting for a member's readiness where asked, and says ready once all are started.
 * It ends when `signal` aborts, or at the first failure of any member: then every member still running is
 * stopped, in the reverse order of starting, each awaited before the next, and `run` rejects with that
 * first failure (the member's own error, so its code still reaches the caller). A member that ends on its
 * own without failing leaves the others running.
 */
export class RunnableGroup implements Runnable {
  readonly name: string;
  readonly #members: readonly GroupMember[];
  readonly #log: Logger;

  constructor(options: RunnableGroupOptions) {
    this.name = options.name;
    this.#members = options.members;
    this.#log = options.logger ?? silentLogger;
  }

  async run(signal: AbortSignal, ready: () => void = () => undefined): Promise<void> {
    const failed = new AbortController();
    let failure: { readonly error: unknown } | undefined;
    const fail = (name: string, error: unknown): void => {
      if (failure !== undefined) return;
      failure = { error };
      this.#log.error({ runnable: name, err: error }, 'part failed; stopping its group');
      failed.abort(error);
    };
    const stopping = linkSignals([signal, failed.signal]);
    const started: Started[] = [];
    try {
      for (const member of this.#members) {
        if (stopping.signal.aborted) break;
        const readiness = this.#start(member, started, fail);
        if (member.waitReady === true) await Promise.race([readiness, untilAborted(stopping.signal)]);
      }
      if (!stopping.signal.aborted) ready();
      await Promise.race([Promise.all(started.map((part) => part.settled)), untilAborted(stopping.signal)]);
    } finally {
      stopping.dispose();
      for (const part of started.reverse()) {
        part.stop.abort(new AbortedError(`${this.name} stopping`));
        await part.settled;
      }
    }
    if (failure !== undefined) throw failure.error;
  }

  /** Start one member; resolves once it is ready or has ended. Its failure is reported through `fail`. */
  #start(
    member: GroupMember,
    started: Started[],
    fail: (name: string, error: unknown) => void,
  ): Promise<void> {
    const { name } = member.runnable;
    const stop = new AbortController();
    let isReady = false;
    let markReady: () => void = () => undefined;
    const readiness = new Promise<void>((resolve) => (markReady = resolve));
    const settled = Promise.resolve()
      .then(() =>
        member.runnable.run(stop.signal, () => {
          isReady = true;
          markReady();
        }),
      )
      .then(
        () => {
          if (member.waitReady === true && !isReady && !stop.signal.aborted)
            fail(name, new NotReadyError(name));
        },
        (error: unknown) => {
          // Rejecting with AbortedError once asked to stop is a clean stop, not a failure.
          if (!(stop.signal.aborted && error instanceof AbortedError)) fail(name, error);
        },
      )
      .finally(markReady);
    started.push({ name, stop, settled });
    return readiness;
  }
}
