import type { Command } from 'commander';
import { ControllerDaemon } from '../../controllers/controller-daemon.js';
import { createRootLogger } from '../../log/logger.js';
import { CONTROLLER_DEFAULTS } from '../../controllers/defaults.js';
import { addDurationFlags, parseDurationFlag, type DurationFlag } from '../duration-flag.js';
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

/** `--resync` once took bare seconds (still read so, with a warning); the retentions always took durations. */
const TIME_FLAGS = {
  resync: {
    name: '--resync',
    description: 'periodic full reconcile, a safety net',
    defaultMs: CONTROLLER_DEFAULTS.resyncMs,
    bareNumberUnit: 's',
  },
  cellRetention: {
    name: '--cell-retention',
    description: 'delete Lost/Departed Cell records this long after the end',
    defaultMs: CONTROLLER_DEFAULTS.cellRetentionMs,
  },
  lockRetention: {
    name: '--lock-retention',
    description: 'delete lock keys nobody has held for this long',
    defaultMs: CONTROLLER_DEFAULTS.lockRetentionMs,
  },
} as const satisfies Record<string, DurationFlag>;

export function registerController(program: Command): void {
  const command = program
    .command('controller')
    .description('run a controller replica: reconcile records, write status, emit events (run 2-3 for HA)')
    .option(
      '--http <host:port>',
      'serve /healthz /readyz /metrics /status /events here ("off" to disable)',
      '127.0.0.1:9470',
    )
    .option('--identity <id>', 'this replica, shown to operators (default host:pid)');
  addTimingFlags(addDurationFlags(command, TIME_FLAGS)).action(
    async (flags: ControllerFlags, command: Command) => {
      const http = parseHttpFlag(flags.http);
      const resyncMs = parseDurationFlag(TIME_FLAGS.resync, flags.resync);
      const cellRetentionMs = parseDurationFlag(TIME_FLAGS.cellRetention, flags.cellRetention);
      const lockRetentionMs = parseDurationFlag(TIME_FLAGS.lockRetention, flags.lockRetention);
      const log = createRootLogger('baton-controller');
      const daemon = new ControllerDaemon({
        client: consulFromCommand(command),
        root: layoutFromCommand(command).root,
        ...(flags.identity === undefined ? {} : { identity: flags.identity }),
        ...(http === undefined ? {} : { http }),
        resyncMs,
        timing: readTimingFlags(flags),
        retention: { cellRetentionMs, lockRetentionMs },
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
    },
  );
}
