import { AbortedError } from '../errors.js';

export type EventListener<T> = (event: T) => void;

/**
 * In-process fan-out of typed events: synchronous listeners, or an async iterator per consumer. An
 * iterator buffers what its consumer has not read yet (unbounded: a consumer that stops reading should
 * abort its signal). A throwing listener cannot break delivery to the others.
 */
export class EventBus<T> {
  readonly #listeners = new Set<EventListener<T>>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => undefined) {
    this.#onListenerError = onListenerError;
  }

  /** Listen; returns the unsubscribe function. */
  on(listener: EventListener<T>): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(event: T): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error: unknown) {
        this.#onListenerError(error);
      }
    }
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Every event emitted from now on, until `signal` aborts (then the iteration ends quietly). */
  async *stream(signal: AbortSignal): AsyncGenerator<T, void, undefined> {
    const buffer: T[] = [];
    let wake: (() => void) | undefined;
    const off = this.on((event) => {
      buffer.push(event);
      wake?.();
    });
    const onAbort = (): void => wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const next = buffer.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      off();
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** The first event matching `predicate`, or `AbortedError` when `signal` aborts first. */
  async next(predicate: (event: T) => boolean, signal: AbortSignal): Promise<T> {
    for await (const event of this.stream(signal)) if (predicate(event)) return event;
    throw new AbortedError('stopped waiting for an event', { cause: signal.reason });
  }
}
