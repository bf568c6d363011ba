import type { ConsulClient } from '../consul/client.js';
import { BatonError, ErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { ConsulHealth } from '../runtime/consul-health.js';
import type { TimingProfile } from '../api/timing-profile.js';
import type { HolderRecord } from './holder-record.js';
import type { Leadership, TermEnd } from './term.js';
import type { Directives } from './directives.js';
import type { CampaignConsul } from './campaign.js';

export type SingletonState = 'starting' | 'waiting' | 'leading' | 'stopping' | 'stopped' | 'failed';

export interface SingletonOptions {
  readonly client: ConsulClient;
  /** The campaign's Consul calls (lease, lock key). @default client */
  readonly campaignConsul?: CampaignConsul;
  /** The singleton's name (a DNS label), e.g. `converger`. Its lock key is `<root>/locks/<name>`. */
  readonly name: string;
  /** The installation's KV root (see `KvLayout`). @default 'baton/v1' */
  readonly root?: string;
  /** This candidate's identity, shown to operators and to the worker. @default `host:pid` */
  readonly identity?: string;
  /** Timing knobs, merged over the defaults and checked by the safety budget. @default SINGLETON_DEFAULTS.timing */
  readonly timing?: Partial<TimingProfile>;
  /**
   * The work, run for each term of leadership. It must stop when `leadership.signal` aborts. When it
   * returns on its own, the singleton hands over cleanly and stops. When it throws (before its signal
   * aborted), the singleton hands over, stops in state `failed`, and `start()` rejects with a
   * `WorkFailedError` whose `cause` is the thrown value.
   */
  readonly work: (leadership: Leadership) => Promise<void>;
  /**
   * The session TTL backstop (see `LeaseOptions.sessionTtlMs`): bounds how long a holder whose agent cannot
   * sync its check (a revoked token) keeps the lock. @default SINGLETON_DEFAULTS.sessionTtlMs
   */
  readonly sessionTtlMs?: number;
  /**
   * While a `preferredHolder` is set, candidates and the holder wake on every session change and look
   * again at least this often. @default SINGLETON_DEFAULTS.preferenceRecheckMs
   */
  readonly preferenceRecheckMs?: number;
  /** How long a candidate that stepped down waits before campaigning again. @default SINGLETON_DEFAULTS.stepDownBackoffMs */
  readonly stepDownBackoffMs?: number;
  /**
   * Obey the Singleton record's `paused` and `preferredHolder` and `baton step-down` requests, watched with
   * one blocking query on `<root>/singletons/<name>/`. @default SINGLETON_DEFAULTS.directives
   */
  readonly directives?: boolean;
  /** Where the singleton logs (a child bound to `singleton` and `identity`). @default silentLogger: quiet */
  readonly logger?: Logger;
  readonly clock?: Clock;
}

/** The singleton's `work` threw: the lock was handed over and the singleton stopped in state `failed`. */
export class WorkFailedError extends BatonError {
  constructor(
    readonly singleton: string,
    options: { cause: unknown },
  ) {
    super(ErrorCode.WorkFailed, `singleton ${singleton}: work failed`, options);
  }
}

export interface SingletonEvents {
  state: [SingletonState];
  /** The current holder as seen by this candidate (undefined: nobody holds the lock). */
  holder: [HolderRecord | undefined];
  /** A term ended, with the reason. */
  term: [{ token: number; end: TermEnd }];
  directives: [Directives];
  /** Consul became unreachable for this candidate, or reachable again (see `Singleton.consul`). */
  consul: [ConsulHealth];
}
