const cellDefaults = {
  /** TTL of the agent check behind the cell's session: a hard-dead cell's key vanishes this long after. */
  checkTtlMs: 1_500,
  /** The heartbeat (check pass) interval: at most half the TTL, so one lost beat does not kill the cell. */
  heartbeatIntervalMs: 500,
  /** How long `start()` waits while another live session holds the cell's id. */
  acquireTimeoutMs: 30_000,
  /** How long `stop()` retries its departure before giving up (the cell then reads as lost). */
  departTimeoutMs: 15_000,
};
/**
 * Every default of `Cell` and `PresenceWatcher`, in one place (each option's `@default` names its entry).
 * The CLI and the benches import these rather than retyping the figures.
 */
export const CELL_DEFAULTS: Readonly<typeof cellDefaults> = Object.freeze(cellDefaults);

const watcherDefaults = {
  /** Server-side wait of each blocking list. */
  waitMs: 30_000,
  /** Blocking-loop rate limit under churn: this many lists at once, then one per `refillMs`. */
  burst: 3,
  refillMs: 100,
  /** Each shard's watch spends at most this fraction of its time handling answers (see `blockingLoop`). */
  busyFraction: 0.25,
};
/** Every default of `PresenceWatcher`. */
export const WATCHER_DEFAULTS: Readonly<typeof watcherDefaults> = Object.freeze(watcherDefaults);
