import type { Command } from 'commander';
import { createRootLogger } from '../../log/logger.js';
import { Cell } from '../../presence/cell.js';
import { CellSpecSchema, type CellSpec } from '../../presence/cell-registration.js';
import { endedCleanly, exitCodeOf } from '../../process/exit-status.js';
import { onStopSignals } from '../../process/stop-signals.js';
import { superviseCommand, type SupervisedCommand } from '../../process/supervise-command.js';
import { Watchdog } from '../../process/watchdog.js';
import { CELL_DEFAULTS } from '../../presence/defaults.js';
import { SUPERVISION_DEFAULTS } from '../../process/defaults.js';
import { formatDurationMs } from '../../time/duration.js';
import { addDurationFlags, parseDurationFlag, type DurationFlag } from '../duration-flag.js';
import { CliError, ExitCode } from '../exit.js';
import { resolveCommand } from '../resolve-command.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { startWorkerEndpoint } from '../worker-endpoint.js';

interface CellFlags {
  id: string;
  address: string;
  zone?: string;
  capacity?: string;
  label: string[];
  checkTtl: string;
  heartbeat: string;
  killGrace: string;
  http?: string;
}

/** `cell`'s time flags once took bare milliseconds: such a number is still read so, with a warning. */
const TIME_FLAGS = {
  checkTtl: {
    name: '--check-ttl',
    description: 'TTL of the heartbeated check: a dead cell vanishes this long after',
    defaultMs: CELL_DEFAULTS.checkTtlMs,
    bareNumberUnit: 'ms',
  },
  heartbeat: {
    name: '--heartbeat',
    description: 'heartbeat interval (at most half of --check-ttl)',
    defaultMs: CELL_DEFAULTS.heartbeatIntervalMs,
    bareNumberUnit: 'ms',
  },
  killGrace: {
    name: '--kill-grace',
    description: 'after forwarding SIGTERM, SIGKILL CMD if still running this long after',
    defaultMs: SUPERVISION_DEFAULTS.cellKillGraceMs,
    bareNumberUnit: 'ms',
  },
} as const satisfies Record<string, DurationFlag>;

export function registerCell(program: Command): void {
  const cell = program
    .command('cell')
    .description(
      'keep a cell registered in Consul while CMD runs; depart cleanly when CMD exits 0, dies of SIGTERM/SIGINT ' +
        '(143/130), or on SIGTERM/SIGINT to baton; any other end is a crash (CellLost)',
    )
    .requiredOption('--id <id>', 'cell id, unique in the cluster (a DNS label: lowercase letters, digits, -)')
    .requiredOption('--address <host:port>', 'where schedulers reach the cell')
    .option('--zone <zone>', 'availability zone')
    .option('--capacity <json>', 'capacity as a JSON object of numbers, e.g. \'{"memoryMb":4096}\'')
    .option('--label <k=v>', 'a label (repeatable)', (value: string, all: string[]) => [...all, value], []);
  addDurationFlags(cell, TIME_FLAGS);
  cell
    .option('--http <host:port>', 'serve /metrics and /healthz (lease confirmed recently) here')
    .argument('<cmd...>', 'command and arguments, after --')
    .action(async (cmd: string[], flags: CellFlags, command: Command) => {
      process.exitCode = await runCell(cmd, flags, command);
    });
}

async function runCell(cmd: string[], flags: CellFlags, command: Command): Promise<number> {
  const [file, ...args] = cmd;
  if (file === undefined) throw new CliError('give the command to run after --', ExitCode.usage);
  resolveCommand(file); // before campaigning or registering: a typo must take nothing
  const spec = parseSpec(flags);
  const checkTtlMs = parseDurationFlag(TIME_FLAGS.checkTtl, flags.checkTtl);
  const heartbeatIntervalMs = parseDurationFlag(TIME_FLAGS.heartbeat, flags.heartbeat);
  const killGraceMs = parseDurationFlag(TIME_FLAGS.killGrace, flags.killGrace);
  if (heartbeatIntervalMs * 2 > checkTtlMs) {
    throw new CliError(
      `--heartbeat (${formatDurationMs(heartbeatIntervalMs)}) must be at most half of --check-ttl ` +
        `(${formatDurationMs(checkTtlMs)})`,
      ExitCode.usage,
    );
  }
  const log = createRootLogger('baton-cell');
  const client = consulFromCommand(command);
  const cell = new Cell({
    client,
    root: layoutFromCommand(command).root,
    spec,
    checkTtlMs,
    heartbeatIntervalMs,
    logger: log,
  });

  // A signal before CMD runs cancels the registration; after, it is forwarded to CMD's process group.
  const startup = new AbortController();
  let workload: SupervisedCommand | undefined;
  const stopRequest = { requested: false };
  const removeSignals = onStopSignals(log, (signal) => {
    stopRequest.requested = true;
    if (workload === undefined) startup.abort();
    else {
      log.info({ signal }, 'forwarding signal to the command');
      workload.stop(signal);
    }
  });
  let watchdog: Watchdog | undefined;
  const closeEndpoint = await startWorkerEndpoint({
    http: flags.http,
    client,
    readiness: () => ({ ready: cell.state === 'running', detail: { state: cell.state } }),
    status: () => ({ id: cell.id, state: cell.state, registration: cell.registration ?? null }),
    logger: log,
  });
  try {
    // No deadline for presence (it grants no exclusivity), but the watchdog still stops the whole group if
    // this process dies, and a departure is written only once the group is empty.
    let registration;
    try {
      watchdog = await Watchdog.start(log, startup.signal);
      registration = await cell.start(startup.signal);
    } catch (error: unknown) {
      if (stopRequest.requested) return ExitCode.ok;
      throw error;
    }
    workload = superviseCommand({
      command: file,
      args,
      variables: {
        cellId: registration.id,
        cellIncarnation: registration.incarnation,
        cellKey: cell.key,
      },
      killGraceMs,
      watchdog,
      log,
    });
    if (stopRequest.requested) workload.stop('SIGTERM');
    const { exit, stoppedBy } = await workload.done;
    if (stoppedBy === 'watchdog-lost') {
      log.error({ ...exit }, 'watchdog lost; leaving without a departure record');
      await cell.abandon();
      return ExitCode.failure;
    }
    if (stopRequest.requested || endedCleanly(exit)) {
      const reason = stopRequest.requested
        ? 'Signalled'
        : exit.code === 0
          ? 'CommandExited'
          : 'CommandStopped';
      await cell.stop(reason);
    } else {
      // The workload crashed: report the cell lost (no departure record) so its work is rescheduled.
      log.warn({ ...exit }, 'command failed; leaving without a departure record');
      await cell.abandon();
    }
    return exitCodeOf(exit);
  } finally {
    removeSignals();
    await watchdog?.close();
    await closeEndpoint();
  }
}

function parseSpec(flags: CellFlags): CellSpec {
  let capacity: unknown;
  if (flags.capacity !== undefined) {
    try {
      capacity = JSON.parse(flags.capacity);
    } catch {
      throw new CliError(
        `--capacity must be a JSON object of numbers, got ${flags.capacity}`,
        ExitCode.usage,
      );
    }
  }
  const labels: Record<string, string> = {};
  for (const label of flags.label) {
    const at = label.indexOf('=');
    if (at <= 0) throw new CliError(`--label must be key=value, got "${label}"`, ExitCode.usage);
    labels[label.slice(0, at)] = label.slice(at + 1);
  }
  const parsed = CellSpecSchema.safeParse({
    id: flags.id,
    address: flags.address,
    ...(flags.zone === undefined ? {} : { zone: flags.zone }),
    ...(capacity === undefined ? {} : { capacity }),
    ...(flags.label.length === 0 ? {} : { labels }),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `--${issue.path[0]?.toString() ?? '?'}: ${issue.message}`,
    );
    throw new CliError(problems.join('; '), ExitCode.usage);
  }
  return parsed.data;
}
