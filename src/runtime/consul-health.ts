import { ConsulTimeoutError, ConsulUnreachableError } from '../consul/errors.js';

/** Whether a component can reach Consul, as its own requests last told it. */
export interface ConsulHealth {
  /** False from the first request that could not reach Consul until one succeeds again. */
  readonly reachable: boolean;
  /** When `reachable` last changed (the component's creation before any change). */
  readonly since: Date;
  /** The error that made Consul unreachable (a `ConsulUnreachableError` or `ConsulTimeoutError`). */
  readonly lastError?: unknown;
}

/** An error (or one of its causes) that says Consul did not answer at all, as opposed to answering "no". */
export function isUnreachable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 10; depth += 1) {
    if (cause instanceof ConsulUnreachableError || cause instanceof ConsulTimeoutError) return true;
    cause = cause.cause;
  }
  return false;
}

/**
 * Tracks a component's `ConsulHealth` from the outcome of its requests and reports each flip once: a long
 * retry loop against a stopped agent shows as one `reachable: false`, not as silence in `starting`.
 */
export class ConsulHealthTracker {
  #health: ConsulHealth;
  readonly #onChange: (health: ConsulHealth) => void;
  readonly #now: () => Date;

  constructor(onChange: (health: ConsulHealth) => void, now: () => Date = () => new Date()) {
    this.#onChange = onChange;
    this.#now = now;
    this.#health = { reachable: true, since: now() };
  }

  get current(): ConsulHealth {
    return this.#health;
  }

  /** A request reached Consul (whatever it answered). */
  reached(): void {
    if (this.#health.reachable) return;
    this.#set({ reachable: true, since: this.#now() });
  }

  /** A request failed: Consul counts as unreachable when the error says it did not answer. */
  failed(error: unknown): void {
    if (!isUnreachable(error)) return;
    if (!this.#health.reachable) {
      this.#health = { ...this.#health, lastError: error };
      return;
    }
    this.#set({ reachable: false, since: this.#now(), lastError: error });
  }

  #set(health: ConsulHealth): void {
    this.#health = health;
    this.#onChange(health);
  }
}
