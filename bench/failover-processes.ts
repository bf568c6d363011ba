import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { abortableSleep } from '../src/time/clock.js';

export interface Started {
  readonly pid: number;
  /** Resolves when the process has exited (however it died). */
  readonly exited: Promise<void>;
  readonly running: () => boolean;
}

export interface SpawnOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** stdout and stderr are appended here. */
  readonly logPath: string;
}

/**
 * Every process the benchmark starts, so that neither a finished trial, a crash nor Ctrl-C leaves one
 * behind. Candidates run in process groups of their own (so a signal meant for the bench does not reach
 * them, and a group kill reaches the commands they start); the workers those commands become are tracked
 * by pid, since Baton starts them in groups of their own and `consul lock` orphans them when it is killed.
 */
export class ProcessRegistry {
  readonly #groups = new Set<number>();
  readonly #workers = new Set<number>();

  spawn(file: string, args: readonly string[], options: SpawnOptions): Started {
    const log = openSync(options.logPath, 'a');
    try {
      const child = spawn(file, args, {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', log, log],
      });
      const pid = child.pid;
      if (pid === undefined) throw new Error(`cannot start ${file}; see ${options.logPath}`);
      this.#groups.add(pid);
      let alive = true;
      const exited = new Promise<void>((resolve) => {
        child.once('exit', () => {
          alive = false;
          resolve();
        });
      });
      return { pid, exited, running: () => alive };
    } finally {
      closeSync(log);
    }
  }

  /** Remember a worker pid (from its start marker) so teardown can kill it wherever it was reparented. */
  adoptWorker(pid: number): void {
    this.#workers.add(pid);
  }

  /** SIGKILL a candidate's whole group (the candidate and any command still in its group). */
  killGroup(pgid: number): void {
    signalGroup(pgid, 'SIGKILL');
    this.#groups.delete(pgid);
  }

  /** SIGKILL a worker if it is still the `sleep` our worker script became (pids can be reused). */
  async killWorker(pid: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (isWorker(pid) && Date.now() < deadline) {
      signalPid(pid, 'SIGKILL');
      await abortableSleep(10);
    }
    this.#workers.delete(pid);
  }

  /** Synchronous last resort for exit and signal handlers. */
  killAll(): void {
    for (const pgid of this.#groups) signalGroup(pgid, 'SIGKILL');
    for (const pid of this.#workers) if (isWorker(pid)) signalPid(pid, 'SIGKILL');
    this.#groups.clear();
    this.#workers.clear();
  }
}

/** Whether `pid` is alive (a zombie counts as dead: it holds no locks and runs no code). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

function isWorker(pid: number): boolean {
  try {
    return isAlive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep\0');
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already empty
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
