import { Command, CommanderError } from 'commander';
import { registerAclPolicy } from './commands/acl-policy.js';
import { registerApply } from './commands/apply.js';
import { registerCell } from './commands/cell.js';
import { registerCompletion } from './commands/completion.js';
import { registerConsulDev } from './commands/consul-dev.js';
import { registerController } from './commands/controller.js';
import { registerDelete } from './commands/delete.js';
import { registerDescribe } from './commands/describe.js';
import { registerEvents } from './commands/events.js';
import { registerDiff } from './commands/diff.js';
import { registerForceReleaseLock } from './commands/force-release-lock.js';
import { registerGet } from './commands/get.js';
import { registerLock } from './commands/lock.js';
import { registerPauseResume } from './commands/pause.js';
import { registerRun } from './commands/run.js';
import { registerStepDown } from './commands/step-down.js';
import { registerWait } from './commands/wait.js';
import { batonVersion } from '../metrics/build-info.js';
import { registerVersion } from './commands/version.js';
import { CliError, ExitCode, reportAndExitCode } from './exit.js';
import { commanderWhat, usageLine } from './usage-error.js';

/** Every command registers itself here; one file per command under commands/. */
export function buildProgram(): Command {
  const program = new Command('baton')
    .description('Singleton workers, exclusive operations and cell presence on Consul')
    .option('--consul <address>', 'Consul HTTP address (default: CONSUL_HTTP_ADDR, else 127.0.0.1:8500)')
    .option('--token <token>', 'Consul ACL token (default: CONSUL_HTTP_TOKEN); prefer --token-file')
    .option('--token-file <path>', 'read the Consul ACL token from a file (default: CONSUL_HTTP_TOKEN_FILE)')
    .option('--root <prefix>', 'KV root of this Baton installation (default: BATON_ROOT, else baton/v1)')
    .version(batonVersion(), '--version', "print Baton's version")
    // Usage errors become one line in runCli, never the whole help text.
    .configureOutput({ outputError: () => undefined })
    .exitOverride();
  registerVersion(program);
  registerConsulDev(program);
  registerRun(program);
  registerLock(program);
  registerStepDown(program);
  registerForceReleaseLock(program);
  registerController(program);
  registerCell(program);
  registerEvents(program);
  registerApply(program);
  registerDiff(program);
  registerGet(program);
  registerDescribe(program);
  registerDelete(program);
  registerPauseResume(program);
  registerWait(program);
  registerAclPolicy(program);
  registerCompletion(program);
  return program;
}

/** Parse argv, run the command, and return the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (error: unknown) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      // Bare `baton` (no command) printed its help on purpose; any other mistake is one line.
      if (error.code !== 'commander.help')
        process.stderr.write(usageLine(commanderWhat(error), program, argv));
      return ExitCode.usage;
    }
    if (error instanceof CliError && error.exitCode === ExitCode.usage) {
      process.stderr.write(usageLine(error.message, program, argv));
      return ExitCode.usage;
    }
    return reportAndExitCode(error);
  }
}
