import type { Clock } from './clock.js';
import { ConfigError } from '../errors.js';

export interface TokenBucketOptions {
  /** Requests allowed back to back. */
  readonly burst: number;
  /** One token comes back every `refillMs`. */
  readonly refillMs: number;
}

/** A token bucket: the global limit on how often a loop may hit Consul. */
export class TokenBucket {
  readonly #options: TokenBucketOptions;
  readonly #clock: Clock;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions, clock: Clock) {
    if (options.burst < 1 || options.refillMs <= 0) {
      throw new ConfigError(`token bucket needs burst >= 1 and refillMs > 0, got ${JSON.stringify(options)}`);
    }
    this.#options = options;
    this.#clock = clock;
    this.#tokens = options.burst;
    this.#updatedAt = clock.now();
  }

  /** Milliseconds until a token is available (0 when one is). Takes the token if available. */
  reserve(): number {
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    const waitMs = (1 - this.#tokens) * this.#options.refillMs;
    this.#tokens -= 1;
    return waitMs;
  }

  async take(signal?: AbortSignal): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) await this.#clock.sleep(waitMs, signal);
  }

  #refill(): void {
    const now = this.#clock.now();
    const earned = (now - this.#updatedAt) / this.#options.refillMs;
    this.#tokens = Math.min(this.#options.burst, this.#tokens + earned);
    this.#updatedAt = now;
  }
}
