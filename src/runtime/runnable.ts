import { InvalidStateError } from '../errors.js';

/**
 * The one contract for everything long-running (an HTTP server, an event tail, an election, a reconcile
 * loop). `run` resolves when the part has stopped because `signal` aborted (or its work ended on its own)
 * and rejects when it failed; it never leaves work behind after it settles. A part that needs time before
 * it is useful (a socket to bind, a cache to fill) calls `ready()` once it is; the others may ignore it.
 * In the spirit of controller-runtime's `manager.Runnable` with its ready check.
 */
export interface Runnable {
  /** Names the part in logs and in the failure a group rejects with. */
  readonly name: string;
  run(signal: AbortSignal, ready: () => void): Promise<void>;
}

/** A part that ended before it said it was ready, while nothing asked it to stop. */
export class NotReadyError extends InvalidStateError {
  constructor(readonly runnable: string) {
    super(`${runnable} ended before it was ready`);
  }
}

/** A runnable from a name and a function, for parts that are not classes of their own. */
export function runnable(name: string, run: Runnable['run']): Runnable {
  return { name, run };
}
