import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** The real processes the demo runs: every one is the `baton` CLI, as an operator would start it. */
export class DemoCast {
  readonly #env: NodeJS.ProcessEnv;
  readonly #children = new Map<string, ChildProcess>();

  constructor(consulAddr: string) {
    this.#env = { ...process.env, CONSUL_HTTP_ADDR: consulAddr, BATON_LOG_LEVEL: 'error' };
  }

  /** Run a CLI command to completion and return its stdout (stderr passes through). */
  run(args: readonly string[]): string {
    const result = spawnSync(process.execPath, [CLI, ...args], { env: this.#env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`baton ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }

  start(role: string, args: readonly string[]): ChildProcess {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: this.#env,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    this.#children.set(role, child);
    return child;
  }

  signal(role: string, signal: NodeJS.Signals): void {
    this.#children.get(role)?.kill(signal);
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.#children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              resolve();
              return;
            }
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
  }
}
