import type { Command } from 'commander';
import { createRootLogger } from '../../log/logger.js';
import { Cell } from '../../presence/cell.js';
import { CellSpecSchema, type CellSpec } from '../../presence/cell-registration.js';
import { exitCodeOf, SupervisedChild } from '../../process/supervised-child.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand } from '../global-options.js';

interface CellFlags {
  id: string;
  address: string;
  zone?: string;
  capacity?: string;
  label: string[];
  checkTtl: string;
  heartbeat: string;
  killGrace: string;
}

export function registerCell(program: Command): void {
  program
    .command('cell')
    .description(
      'keep a cell registered in Consul while CMD runs; depart cleanly when CMD exits 0 or on SIGTERM/SIGINT',
    )
    .requiredOption('--id <id>', 'cell id, unique in the cluster (a DNS label: lowercase letters, digits, -)')
    .requiredOption('--address <host:port>', 'where schedulers reach the cell')
    .option('--zone <zone>', 'availability zone')
    .option('--capacity <json>', 'capacity as a JSON object of numbers, e.g. \'{"memoryMb":4096}\'')
    .option('--label <k=v>', 'a label (repeatable)', (value: string, all: string[]) => [...all, value], [])
    .option('--check-ttl <ms>', 'TTL of the heartbeated check: a dead cell vanishes this long after', '1500')
    .option('--heartbeat <ms>', 'heartbeat interval', '500')
    .option(
      '--kill-grace <ms>',
      'after forwarding SIGTERM, SIGKILL CMD if still running this long after',
      '10000',
    )
    .argument('<cmd...>', 'command and arguments, after --')
    .action(async (cmd: string[], flags: CellFlags, command: Command) => {
      process.exitCode = await runCell(cmd, flags, command);
    });
}

async function runCell(cmd: string[], flags: CellFlags, command: Command): Promise<number> {
  const [file, ...args] = cmd;
  if (file === undefined) throw new CliError('give the command to run after --', ExitCode.usage);
  const spec = parseSpec(flags);
  const checkTtlMs = positiveMs('--check-ttl', flags.checkTtl);
  const heartbeatIntervalMs = positiveMs('--heartbeat', flags.heartbeat);
  const killGraceMs = positiveMs('--kill-grace', flags.killGrace);
  if (heartbeatIntervalMs * 2 > checkTtlMs) {
    throw new CliError(
      `--heartbeat (${heartbeatIntervalMs} ms) must be at most half of --check-ttl (${checkTtlMs} ms)`,
      ExitCode.usage,
    );
  }
  const log = createRootLogger('baton-cell');
  const cell = new Cell({
    client: consulFromCommand(command),
    spec,
    checkTtlMs,
    heartbeatIntervalMs,
    logger: log,
  });

  // A signal before CMD runs cancels the registration; after, it is forwarded to CMD.
  const startup = new AbortController();
  let child: SupervisedChild | undefined;
  const stopRequest = { requested: false };
  const onSignal = (signal: NodeJS.Signals): void => {
    stopRequest.requested = true;
    if (child === undefined) startup.abort();
    else if (child.running) {
      log.info({ signal }, 'forwarding signal to the command');
      child.signal(signal);
      setTimeout(() => child?.signal('SIGKILL'), killGraceMs).unref();
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    let registration;
    try {
      registration = await cell.start(startup.signal);
    } catch (error: unknown) {
      if (stopRequest.requested) return ExitCode.ok;
      throw error;
    }
    child = new SupervisedChild(file, args, {
      killGraceMs,
      env: {
        ...process.env,
        BATON_CELL_ID: registration.id,
        BATON_CELL_INCARNATION: registration.incarnation,
        BATON_CELL_KEY: cell.key,
      },
    });
    if (stopRequest.requested) child.signal('SIGTERM');
    const exit = await child.exited;
    const code = exitCodeOf(exit);
    if (stopRequest.requested || code === 0) {
      await cell.stop(stopRequest.requested ? 'Signalled' : 'CommandExited');
    } else {
      // The workload crashed: report the cell lost (no departure record) so its work is rescheduled.
      log.warn({ ...exit }, 'command failed; leaving without a departure record');
      await cell.abandon();
    }
    return code;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
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

function positiveMs(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new CliError(
      `${flag} must be a positive whole number of milliseconds, got "${text}"`,
      ExitCode.usage,
    );
  }
  return value;
}
