import { spawn, type ChildProcess } from 'node:child_process';

/** A running `baton` process in its own process group (so SIGKILL can take it like a dying VM). */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr(): string;
  stdout(): string;
}

export function startCli(cli: string, consulAddr: string, args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, CONSUL_HTTP_ADDR: consulAddr, BATON_LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { child, exited, stderr: () => err, stdout: () => out };
}

/** A command that runs until signalled (killed with its parent by the parent-death signal). */
export const LONG_RUNNING = [process.execPath, '-e', 'setInterval(() => {}, 1000)'];
