import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AbortedError, BatonError, ErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { formatCommand, parseReply } from './watchdog-protocol.js';

/** The watchdog process died: nothing outside the supervisor's event loop guards the worker any more. */
export class WatchdogLostError extends BatonError {
  constructor(detail: string) {
    super(ErrorCode.WatchdogLost, `the watchdog process is gone (${detail}): stopping the worker`);
  }
}

/** Built: the compiled watchdog beside this file. From source (tests): the TypeScript file through tsx. */
function watchdogArgv(): string[] {
  const built = fileURLToPath(new URL('./watchdog-main.js', import.meta.url));
  if (existsSync(built)) return [built];
  return ['--import', 'tsx', fileURLToPath(new URL('./watchdog-main.ts', import.meta.url))];
}

/**
 * The supervisor's handle on its watchdog process (see watchdog-main.ts): one per supervisor, started before
 * any worker. Deadlines are given in milliseconds of `performance.now()` (the system clock of
 * `time/clock.ts`) and sent as absolute CLOCK_MONOTONIC nanoseconds; the two clocks differ by a fixed offset.
 */
export class Watchdog {
  /** Aborts with `WatchdogLostError` if the watchdog dies before `close()`. */
  readonly lost: AbortSignal;
  readonly #child: ChildProcess;
  readonly #lost = new AbortController();
  readonly #offsetNs = process.hrtime.bigint() - BigInt(Math.round(performance.now() * 1e6));
  readonly #log: Logger;
  #closing = false;

  private constructor(child: ChildProcess, log: Logger) {
    this.#child = child;
    this.#log = log;
    this.lost = this.#lost.signal;
    child.once('exit', (code, signal) => {
      if (this.#closing) return;
      this.#log.error({ code, signal }, 'watchdog process died');
      this.#lost.abort(new WatchdogLostError(signal ?? `exit ${String(code)}`));
    });
    child.stdin?.on('error', () => undefined); // a dead watchdog is reported by 'exit'
  }

  /** Start the watchdog and wait until it listens. */
  static async start(log: Logger, signal?: AbortSignal): Promise<Watchdog> {
    const child = spawn(process.execPath, watchdogArgv(), { stdio: ['pipe', 'pipe', 'inherit'] });
    const watchdog = new Watchdog(child, log);
    const replies = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      // Once ready, a later failure is the watchdog dying: `lost` reports it, and this must not mark the
      // watchdog as closing (which would silence `lost`).
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        watchdog.#closing = true;
        child.kill('SIGKILL');
        reject(error instanceof Error ? error : new WatchdogLostError(String(error)));
      };
      const onAbort = (): void => fail(new AbortedError('watchdog start aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      watchdog.lost.addEventListener('abort', () => fail(watchdog.lost.reason), { once: true });
      child.once('error', fail);
      replies.on('line', (line) => {
        const reply = parseReply(line);
        if (reply?.verb === 'ready') {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          resolve();
        } else if (reply?.verb === 'fired')
          log.error({ pgid: reply.pgid }, 'watchdog killed the worker group');
      });
    });
    return watchdog;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /**
   * Watch a worker's process group: SIGKILL it at `deadlineMs` (on `performance.now()`'s scale) unless moved
   * by another call, or at once if this supervisor dies. Without a deadline, only the latter.
   */
  watch(pgid: number, deadlineMs?: number): void {
    const deadlineNs =
      deadlineMs === undefined ? undefined : this.#offsetNs + BigInt(Math.round(deadlineMs * 1e6));
    this.#child.stdin?.write(formatCommand({ verb: 'watch', pgid, deadlineNs }));
  }

  /** The group is empty: stop watching it. */
  release(pgid: number): void {
    this.#child.stdin?.write(formatCommand({ verb: 'release', pgid }));
  }

  /** End the watchdog (its stdin closes; with nothing watched it exits at once). */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.stdin?.end();
    await exited;
  }
}
