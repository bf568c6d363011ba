import type { ConsulClient } from '../consul/client.js';
import type { KvEntry } from '../consul/wire.js';
import type { LockKeys } from '../layout/lock-keys.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { abortableSleep, isAborted } from '../time/clock.js';
import { CONTROLLER_DEFAULTS } from './defaults.js';

export interface LockGcOptions {
  readonly client: ConsulClient;
  readonly locks: LockKeys;
  /** How long a lock key may stay unheld before it is deleted. @default CONTROLLER_DEFAULTS.lockRetentionMs */
  readonly retentionMs?: number;
  /** Time between passes. @default min(retentionMs / 2, CONTROLLER_DEFAULTS.lockGcMaxIntervalMs) */
  readonly intervalMs?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** What one pass does to one lock key. */
export type LockGcAction =
  | { readonly action: 'mark'; readonly entry: KvEntry }
  | { readonly action: 'delete'; readonly entry: KvEntry };

/**
 * Plan one pass (pure). The durable "unheld since" time lives in the free key's own `Flags` (Unix ms): the
 * value (the last holder record, which tells the next acquirer how the last term ended) is left as is, and
 * any acquire resets the flags to 0, so a held key is never marked and a re-held key forgets its mark. A key
 * unheld and unmarked is marked now; one marked at least `retentionMs` ago is deleted. A mark in the future
 * (a clock jump, a foreign writer) is renewed rather than trusted.
 */
export function planLockGc(
  entries: Iterable<KvEntry>,
  locks: LockKeys,
  nowMs: number,
  retentionMs: number,
): LockGcAction[] {
  const actions: LockGcAction[] = [];
  for (const entry of entries) {
    if (locks.parse(entry.key) === undefined || entry.session !== undefined) continue;
    const markedMs = Number(entry.flags);
    if (markedMs === 0 || markedMs > nowMs) actions.push({ action: 'mark', entry });
    else if (nowMs - markedMs >= retentionMs) actions.push({ action: 'delete', entry });
  }
  return actions;
}

/**
 * Deletes lock keys nobody has held for longer than the retention, so abandoned ones do not pile up. Every
 * write is a CAS on the ModifyIndex read, so a key acquired meanwhile is left alone. Level-triggered from
 * durable times: a controller that takes over continues where the last one stopped.
 */
export class LockGc {
  readonly #options: LockGcOptions;
  readonly #retentionMs: number;

  constructor(options: LockGcOptions) {
    this.#options = options;
    this.#retentionMs = options.retentionMs ?? CONTROLLER_DEFAULTS.lockRetentionMs;
  }

  /** Pass after pass until `signal` aborts; a failed pass is logged and the next one retries. */
  async run(signal: AbortSignal): Promise<void> {
    const log = this.#options.logger ?? silentLogger;
    const intervalMs =
      this.#options.intervalMs ?? Math.min(this.#retentionMs / 2, CONTROLLER_DEFAULTS.lockGcMaxIntervalMs);
    while (!signal.aborted) {
      try {
        await this.pass(signal);
      } catch (error: unknown) {
        if (isAborted(signal)) return;
        log.warn({ err: error }, 'lock gc pass failed');
      }
      await abortableSleep(intervalMs, signal).catch(() => undefined);
    }
  }

  /** One pass; returns how many keys it deleted. */
  async pass(signal?: AbortSignal): Promise<number> {
    const { client, locks } = this.#options;
    const now = (this.#options.now ?? Date.now)();
    const { value } = await client.kv.list(locks.prefix, {
      consistency: 'consistent',
      ...(signal ? { signal } : {}),
    });
    let deleted = 0;
    for (const { action, entry } of planLockGc(value, locks, now, this.#retentionMs)) {
      const guard = { cas: entry.modifyIndex, ...(signal ? { signal } : {}) };
      if (action === 'mark') await client.kv.put(entry.key, entry.value, { ...guard, flags: BigInt(now) });
      else if (await client.kv.delete(entry.key, guard)) deleted += 1;
    }
    return deleted;
  }
}
