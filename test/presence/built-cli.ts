import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** A private build (inside node_modules so runtime imports resolve): never races others' `npm run build`. */
const OUT = join(ROOT, 'node_modules/.cache/baton-presence-test/dist');

/**
 * Compile src/ with the build config into a private folder and return the CLI entry. tsc emits even when
 * an unrelated work-in-progress file has type errors, so only a missing entry point fails the build.
 */
export async function buildCli(): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'package.json'), '{"type":"module"}\n');
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', OUT], {
    cwd: ROOT,
  }).catch((error: unknown) => {
    if (!existsSync(join(OUT, 'cli/main.js'))) throw error;
  });
  return join(OUT, 'cli/main.js');
}

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
