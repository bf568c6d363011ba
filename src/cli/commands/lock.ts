import type { Command } from 'commander';
import { exitCodeOf, SupervisedChild } from '../../process/supervised-child.js';
import { tryLock } from '../../singleton/try-lock.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand } from '../global-options.js';

export function registerLock(program: Command): void {
  program
    .command('lock')
    .description(
      `run CMD if RESOURCE is free, else drop it (exit ${ExitCode.dropped}); the lock is released when CMD exits`,
    )
    .requiredOption('--try <resource>', 'the resource to lock, e.g. cluster-refresh.prod')
    .option('--kill-grace <ms>', 'SIGTERM-to-SIGKILL grace if the lock is lost while CMD runs', '500')
    .argument('<cmd...>', 'command and arguments, after --')
    .action(async (cmd: string[], options: { try: string; killGrace: string }, command: Command) => {
      const [file, ...args] = cmd;
      if (file === undefined) throw new CliError('give the command to run after --', ExitCode.usage);
      const killGraceMs = Number(options.killGrace);
      if (!Number.isInteger(killGraceMs) || killGraceMs < 0) {
        throw new CliError(`--kill-grace takes milliseconds, got "${options.killGrace}"`, ExitCode.usage);
      }
      const result = await tryLock(
        options.try,
        async ({ signal, lockKey }) => {
          const child = new SupervisedChild(file, args, {
            killGraceMs,
            env: { ...process.env, BATON_LOCK_KEY: lockKey },
          });
          const stop = (): void => void child.terminate();
          signal.addEventListener('abort', stop, { once: true });
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
          return exitCodeOf(await child.exited);
        },
        { client: consulFromCommand(command) },
      );
      if (result.status === 'dropped') {
        process.stderr.write(`baton: ${options.try} is locked by another executor; task dropped\n`);
        process.exitCode = ExitCode.dropped;
        return;
      }
      process.exitCode = result.value;
    });
}
