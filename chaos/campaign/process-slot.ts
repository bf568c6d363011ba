import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { killTree } from './process-tree.js';

export interface SlotCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

export interface ProcessSlotOptions {
  /** Unique in the campaign; names the slot's history file. */
  readonly name: string;
  /** The command for each (re)start: it may differ per start (a new plan, a new incarnation). */
  readonly command: () => SlotCommand;
  /** Start again after an exit (the population stays up), after this delay. Undefined: run once. */
  readonly restartDelayMs?: () => number;
  readonly onStderrLine?: (line: string, pid: number) => void;
  readonly onExit?: (code: number | null, signal: NodeJS.Signals | null, pid: number) => void;
}

/**
 * One long-lived role of the campaign (a candidate, an executor, a cell, a controller) as a process that is
 * restarted whenever it exits, until `stop()`. Each process gets its own process group, so the terminal's
 * Ctrl-C reaches only the campaign, which then stops everything itself.
 */
export class ProcessSlot {
  readonly name: string;
  readonly #options: ProcessSlotOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stopping = false;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(options: ProcessSlotOptions) {
    this.name = options.name;
    this.#options = options;
  }

  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined;
  }

  get running(): boolean {
    return this.#child?.exitCode === null && this.#child.signalCode === null;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  start(): void {
    if (this.#stopping || this.running) return;
    const { file, args, env } = this.#options.command();
    const child = spawn(file, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env });
    this.#child = child;
    const pid = child.pid ?? -1;
    // Every process's own log (pino JSON on stderr) is kept beside the history, for `--keep` post-mortems.
    const logPath = env['CHAOS_LOG'];
    const log = logPath === undefined ? undefined : createWriteStream(logPath, { flags: 'a' });
    log?.on('error', () => undefined);
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      log?.write(`${line}\n`);
      this.#options.onStderrLine?.(line, pid);
    });
    lines.once('close', () => log?.end());
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#options.onExit?.(code, signal, pid);
        resolve();
        const delay = this.#options.restartDelayMs;
        if (!this.#stopping && delay !== undefined)
          this.#restartTimer = setTimeout(() => this.start(), delay());
      });
    });
    child.once('error', () => undefined);
  }

  /** Clean stop: SIGTERM the supervisor, then SIGKILL its whole tree after `graceMs`. No restart. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGTERM');
    } catch {
      // Exited meanwhile.
    }
    const timer = setTimeout(() => killTree(pid), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Resolves when the current process has exited. */
  exited(): Promise<void> {
    return this.#exited;
  }
}
