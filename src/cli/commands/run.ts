import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { createRootLogger } from '../../log/logger.js';
import { exitCodeOf, SupervisedChild } from '../../process/supervised-child.js';
import { Singleton } from '../../singleton/elector.js';
import type { Leadership } from '../../singleton/term.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand } from '../global-options.js';
import { addTimingFlags, readTimingFlags } from '../timing-flags.js';

interface RunOptions extends Record<string, unknown> {
  singleton: string;
  identity?: string;
}

export function registerRun(program: Command): void {
  addTimingFlags(
    program
      .command('run')
      .description(
        'run CMD only while this process is the singleton worker; wait, take over, and hand over cleanly',
      )
      .requiredOption('--singleton <name>', 'the singleton to campaign for, e.g. converger')
      .option('--identity <id>', 'this candidate, shown to operators (default host:pid)')
      .argument('<cmd...>', 'command and arguments, after --'),
  ).action(async (cmd: string[], options: RunOptions, command: Command) => {
    process.exitCode = await runSingletonCommand(cmd, options, command);
  });
}

async function runSingletonCommand(cmd: string[], options: RunOptions, command: Command): Promise<number> {
  const [file, ...args] = cmd;
  if (file === undefined) throw new CliError('give the command to run after --', ExitCode.usage);
  const log = createRootLogger('baton-run');
  const timing = readTimingFlags(options);
  let childExit: number | undefined;
  let singleton: Singleton;
  try {
    singleton = new Singleton({
      client: consulFromCommand(command),
      name: options.singleton,
      ...(options.identity === undefined ? {} : { identity: options.identity }),
      timing,
      logger: log,
      work: async (leadership: Leadership) => {
        const child = new SupervisedChild(file, args, {
          killGraceMs: singleton.timing.killGraceMs,
          env: {
            ...process.env,
            BATON_SINGLETON: leadership.name,
            BATON_IDENTITY: leadership.identity,
            BATON_FENCING_TOKEN: String(leadership.token),
            BATON_LOCK_KEY: leadership.lockKey,
            BATON_SESSION: leadership.sessionId,
          },
        });
        log.info({ pid: child.pid, token: leadership.token }, 'worker started');
        const onAbort = (): void => void child.terminate();
        leadership.signal.addEventListener('abort', onAbort, { once: true });
        const exit = await child.exited;
        leadership.signal.removeEventListener('abort', onAbort);
        if (!leadership.signal.aborted) childExit = exitCodeOf(exit);
        log.info({ ...exit, token: leadership.token }, 'worker exited');
      },
    });
  } catch (error: unknown) {
    if (error instanceof ConfigError || error instanceof RangeError)
      throw new CliError(error.message, ExitCode.usage);
    throw error;
  }
  const stop = (): void => void singleton.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await singleton.start();
  return childExit ?? ExitCode.ok;
}
