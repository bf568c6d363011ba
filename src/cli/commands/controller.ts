import type { Command } from 'commander';
import { ControllerDaemon } from '../../controllers/controller-daemon.js';
import { createRootLogger } from '../../log/logger.js';
import { parseDurationMs } from '../../timing/duration.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { addTimingFlags, readTimingFlags } from '../timing-flags.js';
import { parseHttpFlag } from '../worker-endpoint.js';

interface ControllerFlags extends Record<string, unknown> {
  http: string;
  identity?: string;
  resync: string;
  cellRetention: string;
  lockRetention: string;
}

export function registerController(program: Command): void {
  const command = program
    .command('controller')
    .description('run a controller replica: reconcile records, write status, emit events (run 2-3 for HA)')
    .option(
      '--http <host:port>',
      'serve /healthz /readyz /metrics /status /events here ("off" to disable)',
      '127.0.0.1:9470',
    )
    .option('--identity <id>', 'this replica, shown to operators (default host:pid)')
    .option('--resync <seconds>', 'periodic full reconcile, a safety net', '30')
    .option('--cell-retention <duration>', 'delete Lost/Departed Cell records this long after the end', '24h')
    .option('--lock-retention <duration>', 'delete lock keys nobody has held for this long', '24h');
  addTimingFlags(command).action(async (flags: ControllerFlags, command: Command) => {
    const http = parseHttpFlag(flags.http);
    const resyncSeconds = Number(flags.resync);
    if (!Number.isFinite(resyncSeconds) || resyncSeconds <= 0) {
      throw new CliError(`--resync takes seconds > 0, got "${flags.resync}"`, ExitCode.usage);
    }
    const log = createRootLogger('baton-controller');
    const daemon = new ControllerDaemon({
      client: consulFromCommand(command),
      root: layoutFromCommand(command).root,
      ...(flags.identity === undefined ? {} : { identity: flags.identity }),
      ...(http === undefined ? {} : { http }),
      resyncMs: resyncSeconds * 1_000,
      timing: readTimingFlags(flags),
      retention: {
        cellRetentionMs: retentionFlag('--cell-retention', flags.cellRetention),
        lockRetentionMs: retentionFlag('--lock-retention', flags.lockRetention),
      },
      logger: log,
    });
    let address;
    try {
      address = await daemon.start();
    } catch (error: unknown) {
      throw new CliError(`cannot serve HTTP on ${flags.http}: ${(error as Error).message}`, ExitCode.usage);
    }
    if (address !== undefined)
      log.info({ http: `http://${address.address}:${address.port}` }, 'serving status and metrics');
    const interrupted = new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    // A part that fails (an election Consul's ACLs refuse) has stopped the daemon: exit with its error.
    await Promise.race([interrupted, daemon.stopped]);
    await daemon.stop();
  });
}

function retentionFlag(flag: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0)
    throw new CliError(`${flag} takes a duration > 0 such as 24h, got "${text}"`, ExitCode.usage);
  return ms;
}
