import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { createRootLogger } from '../../log/logger.js';
import { exitCodeOf } from '../../process/exit-status.js';
import { PreforkedCommand } from '../../process/preforked-command.js';
import { onStopSignals } from '../../process/stop-signals.js';
import { superviseCommand } from '../../process/supervise-command.js';
import { Watchdog, WatchdogLostError } from '../../process/watchdog.js';
import { Singleton } from '../../singleton/elector.js';
import type { Leadership } from '../../singleton/term.js';
import { CliError, ExitCode } from '../exit.js';
import { resolveCommand } from '../resolve-command.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { addTimingFlags, readTimingFlags } from '../timing-flags.js';
import { startWorkerEndpoint } from '../worker-endpoint.js';

interface RunOptions extends Record<string, unknown> {
  singleton: string;
  identity?: string;
  http?: string;
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
      .option('--http <host:port>', 'serve /metrics and /healthz (lease confirmed recently) here')
      .argument('<cmd...>', 'command and arguments, after --'),
  ).action(async (cmd: string[], options: RunOptions, command: Command) => {
    process.exitCode = await runSingletonCommand(cmd, options, command);
  });
}

async function runSingletonCommand(cmd: string[], options: RunOptions, command: Command): Promise<number> {
  const [file, ...args] = cmd;
  if (file === undefined) throw new CliError('give the command to run after --', ExitCode.usage);
  resolveCommand(file); // before campaigning or registering: a typo must take nothing
  const log = createRootLogger('baton-run');
  const timing = readTimingFlags(options);
  let childExit: number | undefined;
  let singleton: Singleton;
  let watchdog: Watchdog | undefined;
  const client = consulFromCommand(command);
  try {
    singleton = new Singleton({
      client,
      root: layoutFromCommand(command).root,
      name: options.singleton,
      ...(options.identity === undefined ? {} : { identity: options.identity }),
      timing,
      logger: log,
      work: async (leadership: Leadership) => {
        if (watchdog === undefined) throw new WatchdogLostError('never started');
        const worker = superviseCommand({
          command: file,
          args,
          variables: {
            singleton: leadership.name,
            identity: leadership.identity,
            fencingToken: leadership.token,
            lockKey: leadership.lockKey,
            session: leadership.sessionId,
          },
          killGraceMs: singleton.timing.killGraceMs,
          watchdog,
          signal: leadership.signal,
          deadline: leadership,
          log,
          prepared,
        });
        log.info({ childPid: worker.pid, token: leadership.token }, 'worker started');
        const { exit, stoppedBy } = await worker.done;
        if (stoppedBy === undefined) childExit = exitCodeOf(exit);
        log.info({ ...exit, token: leadership.token }, 'worker stopped (its whole process group)');
      },
    });
  } catch (error: unknown) {
    if (error instanceof ConfigError || error instanceof RangeError)
      throw new CliError(error.message, ExitCode.usage);
    throw error;
  }
  // While waiting, the command is already forked and held before it runs (see PreforkedCommand): a takeover
  // then only opens its gate with the fencing token.
  const prepared = new PreforkedCommand({
    command: file,
    args,
    variables: { singleton: singleton.name, identity: singleton.identity, lockKey: singleton.lockKey },
    killGraceMs: singleton.timing.killGraceMs,
    log,
  });
  singleton.on('state', (state) => {
    if (state === 'waiting') prepared.prepare();
  });
  const removeSignals = onStopSignals(log, () => void singleton.stop());
  const closeEndpoint = await startWorkerEndpoint({
    http: options.http,
    client,
    singleton,
    readiness: () => ({ ready: ['waiting', 'leading'].includes(singleton.state), detail: {} }),
    status: () => ({ singleton: singleton.name, identity: singleton.identity, state: singleton.state }),
    logger: log,
  });
  try {
    watchdog = await Watchdog.start(log);
    // Without the watchdog no worker may run: stop campaigning (a running worker is stopped first).
    watchdog.lost.addEventListener('abort', () => void singleton.stop(), { once: true });
    await singleton.start();
  } finally {
    removeSignals();
    await prepared.close();
    await watchdog?.close();
    await closeEndpoint();
  }
  if (watchdog.lost.aborted) return ExitCode.failure;
  return childExit ?? ExitCode.ok;
}
