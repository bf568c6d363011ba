import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SupervisedChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** SIGTERM first, then SIGKILL this long after. */
  readonly killGraceMs: number;
}

/** util-linux's setpriv sets the parent-death signal, which Node cannot set itself. */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

/**
 * A child process that cannot outlive its supervisor as a worker:
 * - it runs in its own process group, so termination reaches its whole tree;
 * - on Linux it is started through `setpriv --pdeathsig SIGKILL`, so the kernel kills it the moment the
 *   supervisor dies, even by SIGKILL (where no code of ours can run).
 */
export class SupervisedChild {
  readonly exited: Promise<ChildExit>;
  readonly #child: ChildProcess;
  readonly #killGraceMs: number;
  #exit: ChildExit | undefined;

  constructor(command: string, args: readonly string[], options: SupervisedChildOptions) {
    this.#killGraceMs = options.killGraceMs;
    const [file, argv] =
      SETPRIV === undefined ? [command, args] : [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', command, ...args]];
    this.#child = spawn(file, argv, { stdio: 'inherit', detached: true, env: options.env ?? process.env });
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
      this.#child.once('error', () => {
        this.#exit = { code: 127, signal: null };
        resolve(this.#exit);
      });
    });
  }

  /** Whether the kernel protects this child against the supervisor's death (Linux with setpriv). */
  static get parentDeathProtected(): boolean {
    return SETPRIV !== undefined;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Send a signal to the child's whole process group. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined || !this.running) return;
    try {
      process.kill(-pid, signal);
    } catch {
      this.#child.kill(signal);
    }
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the child has exited. */
  async terminate(): Promise<ChildExit> {
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), this.#killGraceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

/** Shell convention: a child killed by a signal exits 128 + the signal number. */
export function exitCodeOf(exit: ChildExit): number {
  if (exit.code !== null) return exit.code;
  const signals: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return 128 + (exit.signal === null ? 0 : (signals[exit.signal] ?? 0));
}
