import { appendFileSync } from 'node:fs';

/**
 * A bench-only trace of the handover path: when `BATON_HANDOVER_TRACE` names a file, each stage of a
 * handover (stop requested, the child's SIGTERM and exit, release, destroy, the waiter's wake, acquire,
 * token read, spawn) appends one line `<unix ns> <pid> <stage>` to it, with the wall clock at microsecond
 * resolution, so lines of several processes and the worker's own `date +%s%N` stamp compare directly.
 * `bench:failover` sets it and prints the median of each stage. `child-spawned` is the moment the command is
 * released: its spawn, or for a command pre-forked while waiting (`PreforkedCommand`), its gate opening.
 * Unset (always, outside the bench), a call is one comparison and nothing else.
 */
export const HANDOVER_TRACE_ENV = 'BATON_HANDOVER_TRACE';

const traceFile = process.env[HANDOVER_TRACE_ENV];

/** The stages, in the order a clean handover passes them (holder first, then the successor). */
export const HANDOVER_STAGES = [
  'stop-requested',
  'child-sigterm',
  'child-exited',
  'group-gone',
  'term-ended',
  'release-acked',
  'destroy-acked',
  'waiter-woke',
  'acquire-acked',
  'work-started',
  'child-spawned',
] as const;
export type HandoverStage = (typeof HANDOVER_STAGES)[number];

/** Record that this process reached `stage` now (a no-op unless `BATON_HANDOVER_TRACE` is set). */
export function traceHandover(stage: HandoverStage): void {
  if (traceFile === undefined) return;
  const ns = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1_000)) * 1_000n;
  try {
    appendFileSync(traceFile, `${ns} ${process.pid} ${stage}\n`);
  } catch {
    // A trace is an aid for the bench; never let it disturb the work.
  }
}
