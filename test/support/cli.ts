import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI } from './workers.js';

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI that `npm test` builds into dist/ before any test runs. */
export function builtCli(): Promise<string> {
  if (!existsSync(CLI)) return Promise.reject(new Error(`${CLI} is missing: run "npm run build" first`));
  return Promise.resolve(CLI);
}

/** Run the built CLI to completion. */
export function baton(args: readonly string[], env: NodeJS.ProcessEnv): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Long-running CLI processes a test starts; `stopAll` SIGTERMs (then SIGKILLs) whatever is left. */
export class CliProcesses {
  readonly #children = new Set<ChildProcess>();

  start(args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BATON_LOG_LEVEL: 'warn', ...env },
    });
    child.stdout.resume();
    child.stderr.resume();
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.#children].map(
        (child) =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
  }
}
