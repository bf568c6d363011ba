import type { Command } from 'commander';
import { createRootLogger } from '../../log/logger.js';
import { exitCodeOf } from '../../process/exit-status.js';
import { onStopSignals } from '../../process/stop-signals.js';
import { superviseCommand } from '../../process/supervise-command.js';
import { Watchdog } from '../../process/watchdog.js';
import { tryLock } from '../../singleton/try-lock.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand } from '../global-options.js';

export function registerLock(program: Command): void {
  program
    .command('lock')
    .description(
      `run CMD if RESOURCE is free, else drop it (exit ${ExitCode.dropped}); the lock is released when CMD ` +
        'and everything it forked have exited',
    )
    .requiredOption('--try <resource>', 'the resource to lock, e.g. cluster-refresh.prod')
    .option('--kill-grace <ms>', 'SIGTERM-to-SIGKILL grace if the lock is lost while CMD runs', '500')
    .argument('<cmd...>', 'command and arguments, after --')
    .action(async (cmd: string[], options: { try: string; killGrace: string }, command: Command) => {
      process.exitCode = await runExclusive(cmd, options, command);
    });
}

async function runExclusive(
  cmd: string[],
  options: { try: string; killGrace: string },
  command: Command,
): Promise<number> {
  const [file, ...args] = cmd;
  if (file === undefined) throw new CliError('give the command to run after --', ExitCode.usage);
  const killGraceMs = Number(options.killGrace);
  if (!Number.isInteger(killGraceMs) || killGraceMs < 0) {
    throw new CliError(`--kill-grace takes milliseconds, got "${options.killGrace}"`, ExitCode.usage);
  }
  const log = createRootLogger('baton-lock');
  const stopping = new AbortController();
  const removeSignals = onStopSignals(log, (signal) => stopping.abort(signal));
  const watchdog = await Watchdog.start(log);
  try {
    const result = await tryLock(
      options.try,
      async ({ signal, lockKey, sessionId }) => {
        const operation = superviseCommand({
          command: file,
          args,
          variables: { lockKey, session: sessionId },
          killGraceMs,
          watchdog,
          signal: AbortSignal.any([signal, stopping.signal]),
          log,
        });
        const { exit } = await operation.done;
        return exitCodeOf(exit);
      },
      { client: consulFromCommand(command), logger: log },
    );
    if (result.status === 'dropped') {
      process.stderr.write(`baton: ${options.try} is locked by another executor; task dropped\n`);
      return ExitCode.dropped;
    }
    return watchdog.lost.aborted ? ExitCode.failure : result.value;
  } finally {
    removeSignals();
    await watchdog.close();
  }
}
