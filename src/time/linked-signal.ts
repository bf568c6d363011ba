import { getMaxListeners, setMaxListeners } from 'node:events';

/**
 * Listeners a source may carry before Node warns. A long-lived signal (a daemon's stop signal) is the
 * parent of every concurrent request it bounds; each link detaches on dispose, so many at once is a
 * fan-out, not a leak.
 */
const FAN_OUT_LISTENERS = 1_000;

/** An abort signal composed from others, which lets go of them when disposed. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** True once the timeout (not a source) aborted the signal. */
  readonly timedOut: boolean;
  /** Detach from every source and clear the timer; call it when the operation settles. */
  dispose(): void;
}

/**
 * Abort when any source aborts (with its reason) or after `timeoutMs`. Unlike `AbortSignal.any` and
 * `AbortSignal.timeout`, nothing stays attached to a long-lived source after `dispose()`: on Node 20,
 * `AbortSignal.any([longLived, ...])` per request kept about 170 bytes per call alive for as long as the
 * long-lived signal lived (measured), a leak of ~150 MB/day for a holder heartbeating at the defaults.
 */
export function linkSignals(sources: readonly (AbortSignal | undefined)[], timeoutMs?: number): LinkedSignal {
  const controller = new AbortController();
  const attached: AbortSignal[] = [];
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const dispose = (): void => {
    for (const source of attached) source.removeEventListener('abort', onAbort);
    attached.length = 0;
    clearTimeout(timer);
  };
  function onAbort(this: AbortSignal): void {
    dispose();
    controller.abort(this.reason);
  }
  for (const source of sources) {
    if (source === undefined) continue;
    if (source.aborted) {
      dispose();
      controller.abort(source.reason);
      break;
    }
    if (getMaxListeners(source) < FAN_OUT_LISTENERS) setMaxListeners(FAN_OUT_LISTENERS, source);
    source.addEventListener('abort', onAbort);
    attached.push(source);
  }
  if (timeoutMs !== undefined && !controller.signal.aborted) {
    timer = setTimeout(() => {
      timedOut = true;
      dispose();
      controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
  }
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose,
  };
}
