/**
 * The history a fault campaign records and the checker judges: one JSON object per line (JSON Lines).
 *
 * Every `t` is **absolute monotonic milliseconds** on this host: `Number(process.hrtime.bigint()) / 1e6`
 * (CLOCK_MONOTONIC, shared by every process on the machine, so lines written by different processes
 * order correctly). Use `monotonicNowMs()` below; never `Date.now()` or `performance.now()` (the latter is
 * relative to each process's own start).
 *
 * Writers append whole lines with `O_APPEND` (one `fs.appendFileSync` per line is atomic for lines under
 * PIPE_BUF on Linux); the campaign merges files and sorts by `t`.
 */

/** Which exclusive thing an act belongs to: `singleton/<name>` or `lock/<resource>`. */
export type Resource = `singleton/${string}` | `lock/${string}`;

/**
 * A worker acted (e.g. wrote to the outside world) while believing it held `resource` with `token`.
 * `fence` is the verdict of the downstream fencing check for the same act: the fenced store compares the
 * token with the highest it has accepted (`accepted` / `refused`), or `none` when the act was not fenced.
 */
export interface ActLine {
  readonly k: 'act';
  readonly t: number;
  readonly resource: Resource;
  /** The worker process (candidate identity + pid), e.g. `cand-2/12345`. */
  readonly who: string;
  readonly token: number;
  readonly fence: 'accepted' | 'refused' | 'none';
  /** With `none` from a fenced worker: why no attempt reached the store (e.g. `ECONNREFUSED: ...`). */
  readonly fenceError?: string;
}

/** A fault the campaign injected; `healedAt` is when it was undone (absent for permanent faults). */
export interface FaultLine {
  readonly k: 'fault';
  readonly t: number;
  readonly id: number;
  /** e.g. `sigkill-supervisor`, `sigkill-tree`, `sigkill-grandchild`, `sigstop-supervisor`, `sigstop-tree`,
   * `sigterm`, `double-sigterm`, `blackhole`, `leader-kill`, `agent-kill`, `cpu-starve`, `acl-revoke`,
   * `controller-kill`, `mass-cell-loss`, `oversized-registration`. */
  readonly kind: string;
  readonly target: string;
  readonly healedAt?: number;
  /**
   * The documented limit this fault hits, if any: `frozen-tree` (the supervisor and its worker frozen
   * together: only fencing protects). Stale acts inside such a fault's window must all be fence-refused.
   */
  readonly limit?: 'frozen-tree';
  /** Processes frozen by this fault (for `frozen-tree`: acts by these `who`s in the window are exempt). */
  readonly frozen?: readonly string[];
}

/** What happened to a cell incarnation, as the campaign (the cell's owner) knows it. */
export interface CellLine {
  readonly k: 'cell';
  readonly t: number;
  readonly cell: string;
  readonly incarnation: string;
  /**
   * `registered`: the cell reported this incarnation live. `departed`: a clean stop that completed (the
   * departure transaction committed). `killed`: the campaign killed it hard (process, tree or its agent).
   * `session-lost`: the cell itself saw its session die while alive (it will re-register).
   * `crashed`: its workload exited in a way that counts as a crash (no departure written).
   */
  readonly what: 'registered' | 'departed' | 'killed' | 'session-lost' | 'crashed';
}

/** One event a subscriber received. `sub` names the subscriber (e.g. `sse-1`, `log-2`, `embedded-1`). */
export interface RecvLine {
  readonly k: 'recv';
  readonly t: number;
  readonly sub: string;
  readonly stream: 'presence' | 'singletons';
  readonly seq: number;
  readonly type: string;
  readonly subject: string;
  readonly incarnation?: string;
}

/** A subscriber's span: it must receive every event of `stream` with `fromSeq < seq <= toSeq`. */
export interface SubscriberLine {
  readonly k: 'subscriber';
  readonly t: number;
  readonly sub: string;
  readonly stream: 'presence' | 'singletons';
  readonly fromSeq: number;
  readonly toSeq: number;
  /** Ranges retention trimmed and that the subscriber was told about (gap markers); not violations.
   * Each `[from, to]` is inclusive on both ends, as `EventLog`'s `onGap(fromSeq, toSeq)` reports it. */
  readonly gaps?: readonly (readonly [number, number])[];
}

/** The durable log's content at the end: every committed event (the truth subscribers are held to). */
export interface LogLine {
  readonly k: 'log';
  readonly t: number;
  readonly stream: 'presence' | 'singletons';
  readonly seq: number;
  readonly type: string;
  readonly subject: string;
  readonly incarnation?: string;
}

/** A sampled `listCells` / `listLiveCells` answer: what a scheduler would have seen at `t`. */
export interface ListingLine {
  readonly k: 'listing';
  readonly t: number;
  readonly cells: readonly { readonly cell: string; readonly incarnation: string }[];
}

/** A Cell record's phase, sampled after the campaign healed (and settled): it must match the truth. */
export interface RecordLine {
  readonly k: 'record';
  readonly t: number;
  readonly cell: string;
  readonly incarnation?: string;
  readonly phase: string;
}

/** A singleton or lock must have a live worker again by `t + withinMs` (checked against acts that are not stale). */
export interface ExpectSuccessorLine {
  readonly k: 'expect-successor';
  readonly t: number;
  readonly resource: Resource;
  readonly withinMs: number;
}

export type HistoryLine =
  | ActLine
  | FaultLine
  | CellLine
  | RecvLine
  | SubscriberLine
  | LogLine
  | ListingLine
  | RecordLine
  | ExpectSuccessorLine;

/** Absolute monotonic milliseconds, comparable across processes on this host. */
export function monotonicNowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
