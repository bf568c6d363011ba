import { execFile } from 'node:child_process';
import type { CliResult } from './cli.js';
import { CLI } from './workers.js';

/**
 * Run the built CLI without blocking this process (a test may serve something the CLI talks to, such as a
 * proxy), with only the given `CONSUL_*` variables: none leak in from the environment running the tests.
 */
export function runBaton(args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliResult> {
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('CONSUL_'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...Object.fromEntries(inherited), BATON_LOG_LEVEL: 'warn', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ status, stdout, stderr });
      },
    );
  });
}
