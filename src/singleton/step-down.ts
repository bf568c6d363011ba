import type { ConsulClient } from '../consul/client.js';
import type { KvEntry } from '../consul/wire.js';
import { InvalidStateError } from '../errors.js';
import { EventLog } from '../events/event-log.js';
import { KvLayout } from '../layout/kv-layout.js';
import { systemClock, type Clock } from '../time/clock.js';
import { STEP_DOWN_DEFAULTS } from './defaults.js';
import type { StepDownRequest } from './directives.js';
import { decodeHolder, type HolderRecord } from './holder-record.js';
import { operatorName } from './operator.js';
import { SINGLETON_EVENTS } from './singleton-events.js';

export interface StepDownOptions {
  /** Why, recorded in the request and in the `StepDownRequested` event. */
  readonly reason: string;
  /** How long to wait for the holder to hand over; 0 asks and returns. @default STEP_DOWN_DEFAULTS.waitMs */
  readonly waitMs?: number;
  /** The installation's KV root (see `KvLayout`). @default 'baton/v1' */
  readonly root?: string;
  /** Who asks, as the request and the event record it. @default `user@host` of this process */
  readonly requestedBy?: string;
  /** How often the lock key is read while waiting. @default STEP_DOWN_DEFAULTS.pollMs */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** @default systemClock */
  readonly clock?: Clock;
}

/** A holder of the singleton's lock: its session and, when readable, its holder record. */
export interface LockHolder {
  readonly session: string;
  readonly holder: HolderRecord | undefined;
}

export interface StepDownResult {
  /** The holder that was asked to step down. */
  readonly asked: LockHolder;
  /**
   * `handed-over`: the lock left the asked session; `requested`: `waitMs` was 0, nothing was awaited;
   * `still-held`: the asked session still held the lock after `waitMs` (a holder older than step-down
   * support, or one that is busy stopping its worker).
   */
  readonly outcome: 'handed-over' | 'requested' | 'still-held';
  /** After a handover, who holds the lock now (`undefined`: nobody yet; candidates may be starting). */
  readonly next: LockHolder | undefined;
}

/**
 * Ask the current holder of singleton `name` to hand over cleanly now, audited: the request goes to
 * `<root>/singletons/<name>/step-down` naming the holder's session (only that term obeys it), a
 * `StepDownRequested` event is appended to the singletons stream, then the lock key is watched until it
 * leaves that session or `waitMs` passes. Throws `InvalidStateError` when nobody holds the singleton and
 * `ConfigError` for a name the key grammar refuses. What `baton step-down` does.
 */
export async function stepDown(
  client: ConsulClient,
  name: string,
  options: StepDownOptions,
): Promise<StepDownResult> {
  const layout = new KvLayout(options.root);
  const key = layout.locks.singleton(name);
  const clock = options.clock ?? systemClock;
  const read = { consistency: 'consistent', ...signalOption(options.signal) } as const;
  const asked = holderOf((await client.kv.get(key, read)).value);
  if (asked === undefined) {
    throw new InvalidStateError(`nobody holds singleton ${name}; nothing to step down`);
  }
  const by = options.requestedBy ?? operatorName();
  const request: StepDownRequest = {
    session: asked.session,
    reason: options.reason,
    requestedAt: new Date().toISOString(),
    requestedBy: by,
  };
  await client.kv.put(
    layout.singletons.stepDown(name),
    JSON.stringify(request),
    signalOption(options.signal),
  );
  await new EventLog({ client, root: layout.root, stream: SINGLETON_EVENTS }).append(
    [
      {
        type: 'StepDownRequested',
        subject: name,
        observedAt: request.requestedAt,
        reason: 'OperatorRequest',
        data: { holder: asked.holder?.identity ?? null, session: asked.session, message: options.reason, by },
      },
    ],
    signalOption(options.signal),
  );
  const waitMs = options.waitMs ?? STEP_DOWN_DEFAULTS.waitMs;
  if (waitMs === 0) return { asked, outcome: 'requested', next: undefined };
  const deadline = clock.now() + waitMs;
  for (;;) {
    const current = holderOf((await client.kv.get(key, read)).value);
    if (current?.session !== asked.session) return { asked, outcome: 'handed-over', next: current };
    if (clock.now() >= deadline) return { asked, outcome: 'still-held', next: undefined };
    await clock.sleep(options.pollMs ?? STEP_DOWN_DEFAULTS.pollMs, options.signal);
  }
}

function holderOf(entry: KvEntry | undefined): LockHolder | undefined {
  if (entry?.session === undefined) return undefined;
  return { session: entry.session, holder: decodeHolder(entry.value) };
}

function signalOption(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
