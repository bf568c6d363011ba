import { LEASE_DEFAULTS } from '../session/defaults.js';
import { DEFAULT_TIMING } from '../api/timing-profile.js';

const singletonDefaults = {
  /** The timing profile, checked by the safety budget (`api/timing-profile.ts`). */
  timing: DEFAULT_TIMING,
  /** The session TTL backstop (see `LEASE_DEFAULTS`). */
  sessionTtlMs: LEASE_DEFAULTS.sessionTtlMs,
  /** While a `preferredHolder` is set, how often candidates and the holder look again at the least. */
  preferenceRecheckMs: 5_000,
  /** How long a candidate that stepped down waits before campaigning again. */
  stepDownBackoffMs: 1_000,
  /** Obey the Singleton record's `paused`, `preferredHolder` and step-down requests. */
  directives: true,
};
/**
 * Every default of `Singleton` (and of `tryLock`, which shares its timing and lease), in one place: each
 * option's `@default` names its entry, and the CLI and the benches import them rather than retyping figures.
 */
export const SINGLETON_DEFAULTS: Readonly<typeof singletonDefaults> = Object.freeze(singletonDefaults);

const stepDownDefaults = {
  /** How long to wait for the holder to hand over (0: ask and return). */
  waitMs: 15_000,
  /** How often the lock key is read while waiting for the handover. */
  pollMs: 100,
};
/** Every default of `stepDown` (the library form of `baton step-down`). */
export const STEP_DOWN_DEFAULTS: Readonly<typeof stepDownDefaults> = Object.freeze(stepDownDefaults);
