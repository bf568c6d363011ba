import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { createRootLogger } from '../../log/logger.js';
import { exitCodeOf } from '../../process/exit-status.js';
import { onStopSignals } from '../../process/stop-signals.js';
import { superviseCommand } from '../../process/supervise-command.js';
import { Watchdog } from '../../process/watchdog.js';
import { tryLock } from '../../singleton/try-lock.js';
import { DEFAULT_TIMING } from '../../api/timing-profile.js';
import { CliError, ExitCode } from '../exit.js';
import { resolveCommand } from '../resolve-command.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { addTimingFlags, readTimingFlags } from '../timing-flags.js';

interface LockOptions extends Record<string, unknown> {
  try: string;
}

export function registerLock(program: Command): void {
  addTimingFlags(
    program
      .command('lock')
      .description(
        `run CMD if RESOURCE is free, else drop it (exit ${ExitCode.dropped}); the lock is released when CMD ` +
          'and everything it forked have exited; CMD gets BATON_FENCING_TOKEN',
      )
      .requiredOption('--try <resource>', 'the resource to lock, e.g. cluster-refresh.prod')
      .argument('<cmd...>', 'command and arguments, after --'),
  ).action(async (cmd: string[], options: LockOptions, command: Command) => {
    process.exitCode = await runExclusive(cmd, options, command);
  });
}

async function runExclusive(cmd: string[], options: LockOptions, command: Command): Promise<number> {
  const [file, ...args] = cmd;
  if (file === undefined) throw new CliError('give the command to run after --', ExitCode.usage);
  resolveCommand(file); // before campaigning or registering: a typo must take nothing
  const timing = readTimingFlags(options);
  const log = createRootLogger('baton-lock');
  const stopping = new AbortController();
  const removeSignals = onStopSignals(log, (signal) => stopping.abort(signal));
  const watchdog = await Watchdog.start(log);
  // Without the watchdog the operation may not go on: stop it (the lock is released once it is gone).
  watchdog.lost.addEventListener('abort', () => stopping.abort(watchdog.lost.reason), { once: true });
  try {
    const result = await tryLock(
      options.try,
      async (leadership) => {
        const operation = superviseCommand({
          command: file,
          args,
          variables: {
            identity: leadership.identity,
            fencingToken: leadership.token,
            lockKey: leadership.lockKey,
            session: leadership.sessionId,
          },
          killGraceMs: timing.killGraceMs ?? DEFAULT_TIMING.killGraceMs,
          watchdog,
          signal: leadership.signal,
          deadline: leadership,
          log,
        });
        const { exit } = await operation.done;
        return exitCodeOf(exit);
      },
      {
        client: consulFromCommand(command),
        root: layoutFromCommand(command).root,
        timing,
        logger: log,
        signal: stopping.signal,
      },
    );
    if (result.status === 'dropped') {
      process.stderr.write(`baton: ${options.try} is locked by another executor; task dropped\n`);
      return ExitCode.dropped;
    }
    return watchdog.lost.aborted ? ExitCode.failure : result.value;
  } catch (error: unknown) {
    if (error instanceof ConfigError) throw new CliError(error.message, ExitCode.usage);
    throw error;
  } finally {
    removeSignals();
    await watchdog.close();
  }
}
