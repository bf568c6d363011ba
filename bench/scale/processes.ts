import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/**
 * Every process the scale bench starts itself (pools, the subscriber, controllers), so that neither the end
 * of a run, a crash nor Ctrl-C leaves one behind. They run in process groups of their own (a Ctrl-C meant for
 * the bench reaches only the bench, which then kills them all). Consul agents are `ConsulAgentProcess`es,
 * which kill their own on exit.
 */
export class ProcessRegistry {
  readonly #children = new Set<ChildProcess>();

  /** Fork a TypeScript child (through tsx) with an IPC channel; its output is appended to `logPath`. */
  fork(script: string, env: NodeJS.ProcessEnv, logPath: string): ChildProcess {
    return this.#track(logPath, (log) =>
      fork(script, [], {
        env: { ...process.env, ...env },
        execArgv: ['--import', 'tsx'],
        detached: true,
        stdio: ['ignore', log, log, 'ipc'],
      }),
    );
  }

  spawn(file: string, args: readonly string[], env: NodeJS.ProcessEnv, logPath: string): ChildProcess {
    return this.#track(logPath, (log) =>
      spawn(file, args, { env: { ...process.env, ...env }, detached: true, stdio: ['ignore', log, log] }),
    );
  }

  killAll(): void {
    for (const child of this.#children) child.kill('SIGKILL');
    this.#children.clear();
  }

  #track(logPath: string, start: (log: number) => ChildProcess): ChildProcess {
    const log = openSync(logPath, 'a');
    try {
      const child = start(log);
      this.#children.add(child);
      child.once('exit', () => this.#children.delete(child));
      return child;
    } finally {
      closeSync(log);
    }
  }
}

/** SIGKILL `child` and wait until it is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/** Resolve with the child's next message matching `accept`, or reject after `timeoutMs`. */
export function nextMessage<M>(
  child: ChildProcess,
  accept: (message: M) => boolean,
  timeoutMs: number,
  what: string,
): Promise<M> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: M): void => {
      if (!accept(message)) return;
      done();
      resolve(message);
    };
    const onExit = (): void => {
      done();
      reject(new Error(`${what}: the process exited`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
