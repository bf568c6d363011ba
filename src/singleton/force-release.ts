import type { ConsulClient } from '../consul/client.js';
import { EventLog } from '../events/event-log.js';
import { KvLayout } from '../layout/kv-layout.js';
import { decodeHolder } from './holder-record.js';
import { operatorName } from './operator.js';
import { SINGLETON_EVENTS } from './singleton-events.js';

export interface ForceReleaseOptions {
  /** Why, recorded in the `LockForceReleased` event. */
  readonly reason: string;
  /** Destroy the holder's session even though it is alive (its worker fences itself off). @default false */
  readonly force?: boolean;
  /** The installation's KV root (see `KvLayout`). @default 'baton/v1' */
  readonly root?: string;
  /** Who forces it, as the event records it. @default `user@host` of this process */
  readonly requestedBy?: string;
  readonly signal?: AbortSignal;
}

/** What the holder of a lock key was when `forceReleaseLock` looked. */
export interface ForcedHolder {
  readonly key: string;
  readonly session: string;
  /** The holder record's identity, `null` when the value is not one. */
  readonly holder: string | null;
  /** The key's ModifyIndex: the fencing token of the term that was cut. */
  readonly fencingToken: number;
}

/**
 * `no-key`: no such lock key; `not-held`: the key is free; `alive`: refused, the holder's session is alive
 * and `force` was not given (hand it over with `stepDown` instead); `released`: the session was destroyed.
 */
export type ForceReleaseResult =
  | { readonly outcome: 'no-key' | 'not-held'; readonly key: string }
  | ({ readonly outcome: 'alive' | 'released'; readonly sessionAlive: boolean } & ForcedHolder);

/**
 * Release a stuck lock, `NAME` (a singleton) or `exclusive/RESOURCE` as `baton get locks` names it, by
 * destroying its holder's session, audited first as `LockForceReleased` in the singletons stream (a destroy
 * is never left unrecorded). Refuses a live session unless `force`. Throws `ConfigError` for a name the key
 * grammar refuses. What `baton force-release-lock` does.
 */
export async function forceReleaseLock(
  client: ConsulClient,
  lock: string,
  options: ForceReleaseOptions,
): Promise<ForceReleaseResult> {
  const layout = new KvLayout(options.root);
  const key = layout.locks.byDisplayName(lock);
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const { value: held } = await client.kv.get(key, { consistency: 'consistent', ...signal });
  if (held === undefined) return { outcome: 'no-key', key };
  if (held.session === undefined) return { outcome: 'not-held', key };
  const forced: ForcedHolder = {
    key,
    session: held.session,
    holder: decodeHolder(held.value)?.identity ?? null,
    fencingToken: held.modifyIndex,
  };
  const sessionAlive =
    (await client.session.info(forced.session, { consistency: 'consistent', ...signal })) !== undefined;
  if (sessionAlive && options.force !== true) return { outcome: 'alive', sessionAlive, ...forced };
  await new EventLog({ client, root: layout.root, stream: SINGLETON_EVENTS }).append(
    [
      {
        type: 'LockForceReleased',
        reason: 'OperatorForced',
        subject: lock,
        observedAt: new Date().toISOString(),
        data: {
          holder: forced.holder,
          session: forced.session,
          fencingToken: forced.fencingToken,
          sessionAlive,
          message: options.reason,
          by: options.requestedBy ?? operatorName(),
        },
      },
    ],
    signal,
  );
  // Destroying the session releases the key; Consul's lock-delay still keeps a new holder out for a while,
  // and the old worker, unable to confirm its term, fences itself off (docs/consul-facts.md §1.5).
  await client.session.destroy(forced.session, options.signal);
  return { outcome: 'released', sessionAlive, ...forced };
}
