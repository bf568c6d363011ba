import type { Command } from 'commander';
import { EventLog } from '../../events/event-log.js';
import { type StepDownRequest } from '../../singleton/directives.js';
import { decodeHolder } from '../../singleton/holder-record.js';
import { SINGLETON_EVENTS } from '../../singleton/singleton-events.js';
import { abortableSleep } from '../../time/clock.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { operatorName } from '../operator.js';

interface StepDownFlags {
  reason: string;
  wait: string;
}

export function registerStepDown(program: Command): void {
  program
    .command('step-down')
    .description('ask the current worker of a singleton to hand over cleanly now (audited with a reason)')
    .argument('<name>', 'singleton name')
    .requiredOption('--reason <text>', 'why, recorded in the event log')
    .option('--wait <seconds>', 'wait this long for another holder (0: do not wait)', '15')
    .action(async (name: string, flags: StepDownFlags, command: Command) => {
      process.exitCode = await stepDown(name, flags, command);
    });
}

async function stepDown(name: string, flags: StepDownFlags, command: Command): Promise<number> {
  const waitSeconds = Number(flags.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
    throw new CliError(`--wait takes seconds >= 0, got "${flags.wait}"`, ExitCode.usage);
  }
  const layout = layoutFromCommand(command);
  let key: string;
  try {
    key = layout.locks.singleton(name);
  } catch (error: unknown) {
    throw new CliError((error as Error).message, ExitCode.usage);
  }
  const client = consulFromCommand(command);
  const { value: held } = await client.kv.get(key, { consistency: 'consistent' });
  if (held?.session === undefined) throw new CliError(`nobody holds singleton ${name}; nothing to step down`);
  const holder = decodeHolder(held.value);
  const by = operatorName();
  const request: StepDownRequest = {
    session: held.session,
    reason: flags.reason,
    requestedAt: new Date().toISOString(),
    requestedBy: by,
  };
  await client.kv.put(layout.singletons.stepDown(name), JSON.stringify(request));
  await new EventLog({ client, root: layout.root, stream: SINGLETON_EVENTS }).append([
    {
      type: 'StepDownRequested',
      subject: name,
      observedAt: request.requestedAt,
      reason: 'OperatorRequest',
      data: {
        holder: holder?.identity ?? null,
        session: held.session,
        message: flags.reason,
        by,
      },
    },
  ]);
  process.stdout.write(`asked ${holder?.identity ?? held.session} to step down from ${name}\n`);
  const deadline = Date.now() + waitSeconds * 1_000;
  while (Date.now() < deadline) {
    const { value } = await client.kv.get(key, { consistency: 'consistent' });
    if (value?.session !== held.session) {
      const next = value?.session === undefined ? undefined : decodeHolder(value.value);
      process.stdout.write(
        `${name} is now held by ${next?.identity ?? 'nobody (candidates may still be starting)'}\n`,
      );
      return ExitCode.ok;
    }
    await abortableSleep(100);
  }
  if (waitSeconds === 0) return ExitCode.ok;
  throw new CliError(
    `the holder of ${name} did not step down within ${waitSeconds}s (is it running baton >= this version?)`,
  );
}
