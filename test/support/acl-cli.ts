import { spawn, type ChildProcess } from 'node:child_process';

/** A running `baton` process that sends one ACL token. */
export interface TokenCli {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr(): string;
  stdout(): string;
}

/** Start the built CLI with `CONSUL_HTTP_TOKEN=token` (and no other token from the test's environment). */
export function startWithToken(
  cli: string,
  consulAddr: string,
  token: string,
  args: readonly string[],
): TokenCli {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONSUL_HTTP_ADDR: consulAddr,
    CONSUL_HTTP_TOKEN: token,
    // Debug logs too, so a permission denial logged at any level shows up in stderr.
    BATON_LOG_LEVEL: 'debug',
  };
  delete env['CONSUL_HTTP_TOKEN_FILE'];
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  liveChildren.add(child);
  void exited.then(() => liveChildren.delete(child));
  return { child, exited, stderr: () => err, stdout: () => out };
}

/** Run a one-shot command to its end. */
export async function runWithToken(
  cli: string,
  consulAddr: string,
  token: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startWithToken(cli, consulAddr, token, args);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** SIGKILL whatever a failed test left running. */
export function killLeftovers(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
}

const liveChildren = new Set<ChildProcess>();
