/**
 * The timing model of a lock holder, and the rule that keeps two workers from ever overlapping.
 *
 * A holder confirms it still holds the lock with a server-acknowledged round trip every
 * `confirmIntervalMs`. Let t be the *send* time of the last confirmed round trip. The session may be
 * invalidated by the servers at any moment after t (check TTL missed, serfHealth, operator), and Consul then
 * refuses every acquire of the key for `lockDelayMs` (consul-facts §1.5). So nobody else can start before
 * t + lockDelayMs. The holder tolerates one late confirmation, then aborts its work at
 * t + 2 × confirmIntervalMs and must have it fully stopped (child killed) `killGraceMs` later. The
 * configuration is safe only if that stop deadline plus a margin is strictly before t + lockDelayMs.
 */
export interface TimingProfile {
  /** TTL of the agent check linked to the session: how long after a hard death the session dies. */
  readonly checkTtlMs: number;
  /** Consul lock-delay: how long the key stays unacquirable after the session dies. */
  readonly lockDelayMs: number;
  /** How often the holder heartbeats the check and confirms with the servers. */
  readonly confirmIntervalMs: number;
  /** How long stopping the work may take after it is asked to stop (SIGTERM to SIGKILL in `baton run`). */
  readonly killGraceMs: number;
}

/** Defaults that fail over a hard-killed worker in about checkTtl + lockDelay ≈ 2.2 s. */
export const DEFAULT_TIMING: TimingProfile = {
  checkTtlMs: 1_000,
  lockDelayMs: 1_200,
  confirmIntervalMs: 200,
  killGraceMs: 500,
};

/** Slack for timer lateness and clock-rate drift between this host and the Consul leader. */
export const SAFETY_MARGIN_MS = 100;

/** Consul caps lock-delay at 60 s (`structs.MaxLockDelay`). */
export const MAX_LOCK_DELAY_MS = 60_000;

export interface SafetyBudget {
  /** After the last confirmed send time: when work is told to stop (AbortSignal, SIGTERM). */
  readonly abortAfterMs: number;
  /** After the last confirmed send time: when work must be gone (SIGKILL). */
  readonly stopDeadlineMs: number;
  /** After the last confirmed send time: the earliest moment another candidate could acquire. */
  readonly earliestSuccessorMs: number;
}

export type TimingCheck =
  | { readonly ok: true; readonly budget: SafetyBudget }
  | { readonly ok: false; readonly problems: readonly string[] };

export function safetyBudget(timing: TimingProfile): SafetyBudget {
  const abortAfterMs = 2 * timing.confirmIntervalMs;
  return {
    abortAfterMs,
    stopDeadlineMs: abortAfterMs + timing.killGraceMs,
    earliestSuccessorMs: timing.lockDelayMs,
  };
}

/** Check a timing profile; every problem names the knob to change and by how much. */
export function checkTiming(timing: TimingProfile): TimingCheck {
  const problems: string[] = [];
  const { checkTtlMs, lockDelayMs, confirmIntervalMs, killGraceMs } = timing;
  for (const [name, value] of Object.entries(timing)) {
    if (!Number.isFinite(value) || value < 0)
      problems.push(`${name} must be a non-negative duration, got ${value}`);
  }
  if (confirmIntervalMs < 50) problems.push(`confirmInterval ${confirmIntervalMs}ms is below the 50ms floor`);
  if (lockDelayMs > MAX_LOCK_DELAY_MS) {
    problems.push(`lockDelay ${lockDelayMs}ms is above Consul's 60s cap; lower lockDelay`);
  }
  if (checkTtlMs < 2 * confirmIntervalMs) {
    problems.push(
      `checkTtl ${checkTtlMs}ms must be at least twice confirmInterval (${confirmIntervalMs}ms) so one late ` +
        `heartbeat does not fail the check: raise checkTtl to ${2 * confirmIntervalMs}ms or lower confirmInterval`,
    );
  }
  const budget = safetyBudget(timing);
  const needed = budget.stopDeadlineMs + SAFETY_MARGIN_MS;
  if (needed >= budget.earliestSuccessorMs) {
    problems.push(
      `unsafe: a worker that loses contact must be stopped ${budget.stopDeadlineMs}ms after its last ` +
        `confirmation (2 x confirmInterval ${confirmIntervalMs}ms + killGrace ${killGraceMs}ms), plus a ` +
        `${SAFETY_MARGIN_MS}ms margin, but a successor may start after lockDelay ${lockDelayMs}ms: raise ` +
        `lockDelay above ${needed}ms, or lower confirmInterval or killGrace`,
    );
  }
  return problems.length === 0 ? { ok: true, budget } : { ok: false, problems };
}
