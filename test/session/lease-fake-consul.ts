import type { TtlCheckOptions } from '../../src/consul/agent.js';
import { AbortedError } from '../../src/errors.js';
import { ConsulHttpError, InvalidSessionError, TxnRollbackError } from '../../src/consul/errors.js';
import type { Indexed, PutOptions, ReadOptions } from '../../src/consul/kv.js';
import type { SessionCreateOptions } from '../../src/consul/session.js';
import type { KvEntry } from '../../src/consul/wire.js';
import type { CampaignConsul } from '../../src/singleton/elector.js';

export type FakeCall = 'pass' | 'info' | 'renew' | 'create';

/**
 * One agent and its servers as far as a lease and a candidate see them: TTL checks, sessions, and KV keys
 * with acquire/release and blocking reads (woken by any write). Instant, in memory, no timers of its own.
 */
export class FakeConsul implements CampaignConsul {
  readonly checks = new Map<string, { status: string; ttlMs: number; passes: number }>();
  readonly sessions = new Map<string, SessionCreateOptions & { renewals: number }>();
  readonly entries = new Map<string, KvEntry>();
  readonly released: { key: string; session: string | undefined }[] = [];
  /** The next failure of each call (thrown once). */
  readonly failNext = new Map<FakeCall, Error>();
  #ids = 0;
  #index = 1;
  readonly #waiters = new Set<() => void>();

  readonly agent: CampaignConsul['agent'] = {
    registerTtlCheck: (options: TtlCheckOptions) => {
      this.checks.set(options.id, { status: options.status ?? 'passing', ttlMs: options.ttlMs, passes: 0 });
      return Promise.resolve();
    },
    passCheck: (id: string) => {
      const error = this.#takeFailure('pass');
      if (error !== undefined) return Promise.reject(error);
      const check = this.checks.get(id);
      if (check === undefined)
        return Promise.reject(
          new ConsulHttpError(500, `/v1/agent/check/pass/${id}`, `Unknown check ID "${id}"`),
        );
      check.passes += 1;
      return Promise.resolve();
    },
    deregisterCheck: (id: string) => {
      this.checks.delete(id);
      return Promise.resolve();
    },
    checks: () => Promise.resolve(new Map([...this.checks].map(([id, check]) => [id, check.status]))),
  };

  readonly session: CampaignConsul['session'] = {
    create: (options: SessionCreateOptions) => {
      const error = this.#takeFailure('create');
      if (error !== undefined) return Promise.reject(error);
      const id = `session-${++this.#ids}`;
      this.sessions.set(id, { ...options, renewals: 0 });
      return Promise.resolve(id);
    },
    renew: (id: string) => {
      const error = this.#takeFailure('renew');
      if (error !== undefined) return Promise.reject(error);
      const session = this.sessions.get(id);
      if (session === undefined) return Promise.reject(new InvalidSessionError(404, '/v1/session/renew', ''));
      session.renewals += 1;
      return Promise.resolve(session);
    },
    destroy: (id: string) => {
      this.invalidate(id);
      return Promise.resolve();
    },
    info: (id: string) => {
      const error = this.#takeFailure('info');
      return error === undefined ? Promise.resolve(this.sessions.get(id)) : Promise.reject(error);
    },
  };

  readonly kv: CampaignConsul['kv'] = {
    get: (key: string, options?: ReadOptions) => this.#get(key, options ?? {}),
    put: (key: string, value: string, options: PutOptions) => {
      if (options.release !== undefined) this.released.push({ key, session: options.release });
      return Promise.resolve(this.#put(key, value, options));
    },
  };

  /** `/v1/txn` as far as a campaign uses it: one `lock` op, reporting the entry it wrote, or a rollback. */
  readonly txn: CampaignConsul['txn'] = {
    run: (ops) => {
      const [op] = ops;
      if (ops.length !== 1 || op?.verb !== 'lock')
        return Promise.reject(new Error('fake txn: one lock op only'));
      const entry = this.entries.get(op.key);
      if (!this.sessions.has(op.session))
        return Promise.reject(
          new TxnRollbackError([{ opIndex: 0, what: `invalid session "${op.session}"` }]),
        );
      if (entry?.session !== undefined && entry.session !== op.session)
        return Promise.reject(new TxnRollbackError([{ opIndex: 0, what: 'lock is already held' }]));
      this.#write(op.key, Buffer.from(op.value), op.session, entry?.session === undefined);
      const written = this.entries.get(op.key);
      return Promise.resolve(written === undefined ? [] : [written]);
    },
  };

  /** The servers forget a session (destroyed, or invalidated by its check): its keys are released. */
  invalidate(sessionId: string): void {
    this.sessions.delete(sessionId);
    for (const [key, entry] of this.entries)
      if (entry.session === sessionId) this.#write(key, entry.value, undefined);
  }

  /** Another process's write (e.g. a holder that is not under test). */
  write(key: string, value: string, session?: string): void {
    this.#write(key, Buffer.from(value), session);
  }

  async #get(key: string, options: ReadOptions): Promise<Indexed<KvEntry | undefined>> {
    if ((options.index ?? 0) >= this.#index) await this.#changed(options.signal);
    return { value: this.entries.get(key), index: this.#index };
  }

  #put(key: string, value: string, options: PutOptions): boolean {
    const entry = this.entries.get(key);
    if (options.acquire !== undefined) {
      if (!this.sessions.has(options.acquire))
        throw new ConsulHttpError(500, `/v1/kv/${key}`, `invalid session "${options.acquire}"`);
      if (entry?.session !== undefined && entry.session !== options.acquire) return false;
      this.#write(key, Buffer.from(value), options.acquire, entry?.session === undefined);
      return true;
    }
    if (options.release !== undefined && entry?.session !== options.release) return false;
    this.#write(key, Buffer.from(value), undefined);
    return true;
  }

  #write(key: string, value: KvEntry['value'], session: string | undefined, acquired = false): void {
    const previous = this.entries.get(key);
    this.#index += 1;
    this.entries.set(key, {
      key,
      value,
      flags: 0n,
      createIndex: previous?.createIndex ?? this.#index,
      modifyIndex: this.#index,
      lockIndex: (previous?.lockIndex ?? 0) + (acquired ? 1 : 0),
      ...(session === undefined ? {} : { session }),
    });
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  #changed(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new AbortedError());
        return;
      }
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#waiters.delete(wake);
        reject(new AbortedError());
      };
      this.#waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #takeFailure(call: FakeCall): Error | undefined {
    const error = this.failNext.get(call);
    this.failNext.delete(call);
    return error;
  }
}
