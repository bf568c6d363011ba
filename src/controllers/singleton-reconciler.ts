import type { Singleton } from '../api/singleton.js';
import { SingletonStatusSchema, type SingletonStatus } from '../api/singleton.js';
import type { ConsulClient } from '../consul/client.js';
import type { EventLog } from '../events/event-log.js';
import type { BatonMetrics } from '../metrics/baton-metrics.js';
import { done, requeueAfter, type Reconciler, type Result } from '../runtime/reconciler.js';
import type { LockKeys } from '../layout/lock-keys.js';
import { parseCandidateSessionName } from '../layout/session-names.js';
import { decodeHolder, endedTerm } from '../singleton/holder-record.js';
import type { RecordStore } from '../store/record-store.js';
import type { SessionInfo } from '../consul/wire.js';
import { invalidStatus, planSingletonStatus, type SingletonObservation } from './singleton-plan.js';
import { statusChanged } from './status-compare.js';

export interface SingletonReconcilerOptions {
  readonly client: ConsulClient;
  readonly store: RecordStore<Singleton>;
  readonly events: EventLog;
  /** Where the singletons' locks are (the installation's `KvLayout.locks`). */
  readonly locks: LockKeys;
  readonly metrics?: BatonMetrics;
  readonly now?: () => Date;
}

/**
 * Desired (the Singleton record) against actual (the lock key and candidate sessions): writes status with
 * conditions and appends holder-change events. Never acts on the lock itself: candidates obey the record
 * directly (paused, preferredHolder), so the controller being down never stops a healthy worker.
 */
export class SingletonReconciler implements Reconciler {
  readonly #options: SingletonReconcilerOptions;
  readonly #lastHolder = new Map<string, string>();

  constructor(options: SingletonReconcilerOptions) {
    this.#options = options;
  }

  async reconcile(name: string, signal: AbortSignal): Promise<Result> {
    const { client, store, events, metrics } = this.#options;
    const now = (this.#options.now ?? (() => new Date()))();
    const entry = await store.get(name, signal);
    if (entry === undefined) {
      this.#setHolderMetric(name, undefined, true);
      return done;
    }
    if (entry.error !== undefined) {
      const previous = await this.#rawStatus(name, signal);
      const status = invalidStatus(previous, entry.generation, entry.error, now);
      if (statusChanged(previous ?? null, status)) await store.writeStatus(entry, status, signal);
      return done;
    }
    const key = this.#options.locks.singleton(name);
    const [lock, sessions] = await Promise.all([
      client.kv.get(key, { consistency: 'consistent', signal }),
      client.session.list({ signal }),
    ]);
    const observed = observe(key, lock.value, sessions);
    const plan = planSingletonStatus(entry.record, observed, now);
    if (plan.events.length > 0) await events.append(plan.events, { signal });
    if (statusChanged(entry.record.status ?? null, plan.status))
      await store.writeStatus(entry, plan.status, signal);
    if (plan.holderChange === 'HandedOver') metrics?.handovers.inc({ singleton: name });
    if (plan.holderChange === 'FailedOver') metrics?.failovers.inc({ singleton: name });
    this.#setHolderMetric(name, observed.holder);
    return plan.requeueAfterMs === undefined ? done : requeueAfter(plan.requeueAfterMs);
  }

  /** One series per singleton: the current holder (or holder="" while none); the old series goes. */
  #setHolderMetric(name: string, holder: string | undefined, deleted = false): void {
    const gauge = this.#options.metrics?.holder;
    if (gauge === undefined) return;
    const last = this.#lastHolder.get(name);
    if (last !== undefined && (last !== (holder ?? '') || deleted))
      gauge.remove({ singleton: name, holder: last });
    if (deleted) {
      this.#lastHolder.delete(name);
      return;
    }
    gauge.set({ singleton: name, holder: holder ?? '' }, holder === undefined ? 0 : 1);
    this.#lastHolder.set(name, holder ?? '');
  }

  /** The stored status of a record whose spec is invalid (the store cannot decode the record as a whole). */
  async #rawStatus(name: string, signal: AbortSignal): Promise<SingletonStatus | undefined> {
    const { value } = await this.#options.client.kv.get(this.#options.store.keys.status(name), { signal });
    if (value === undefined) return undefined;
    try {
      const parsed = SingletonStatusSchema.safeParse(JSON.parse(value.value.toString('utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}

function observe(
  lockKey: string,
  lock: { session?: string; value: Buffer; modifyIndex: number; lockIndex: number } | undefined,
  sessions: readonly SessionInfo[],
): SingletonObservation {
  const candidates = sessions
    .flatMap((s) => {
      const candidate = parseCandidateSessionName(s.name);
      return candidate?.lockKey === lockKey ? [candidate.identity] : [];
    })
    .sort();
  const lockIndex = lock === undefined ? {} : { lockIndex: lock.lockIndex };
  if (lock?.session === undefined) {
    const ended = lock === undefined ? undefined : endedTerm(lock.value)?.ended;
    return {
      holderSessionAlive: false,
      candidates,
      ...lockIndex,
      ...(ended === undefined ? {} : { previousTermEnded: ended }),
    };
  }
  const holder = decodeHolder(lock.value);
  const ended = holder?.predecessor?.ended;
  return {
    holder: holder?.identity ?? `session ${lock.session}`,
    holderSession: lock.session,
    token: lock.modifyIndex,
    ...lockIndex,
    ...(holder === undefined ? {} : { since: holder.since }),
    ...(ended === undefined ? {} : { previousTermEnded: ended }),
    holderSessionAlive: sessions.some((s) => s.id === lock.session),
    candidates,
  };
}
