import type { Command } from 'commander';
import { EventLog } from '../../events/event-log.js';
import type { KvLayout } from '../../layout/kv-layout.js';
import { decodeHolder } from '../../singleton/holder-record.js';
import { SINGLETON_EVENTS } from '../../singleton/singleton-events.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { operatorName } from '../operator.js';

interface ForceReleaseFlags {
  readonly reason: string;
  readonly force?: boolean;
}

/** The event type and reason this command appends to the `singletons` stream. */
export const LOCK_FORCE_RELEASED = { type: 'LockForceReleased', reason: 'OperatorForced' } as const;

export function registerForceReleaseLock(program: Command): void {
  program
    .command('force-release-lock')
    .description(
      "release a stuck lock by destroying its holder's session (audited in the singletons event stream); " +
        'refuses while that session is alive unless --force. Exit 0 released or not held, 1 refused',
    )
    .argument('<lock>', 'a singleton name, or exclusive/RESOURCE (as baton get locks names them)')
    .requiredOption('--reason <text>', 'why, recorded in the event log')
    .option('--force', "destroy the holder's session even though it is alive (its worker is fenced off)")
    .action(async (lock: string, flags: ForceReleaseFlags, command: Command) => {
      await forceRelease(lock, flags, command);
    });
}

async function forceRelease(lock: string, flags: ForceReleaseFlags, command: Command): Promise<void> {
  const layout = layoutFromCommand(command);
  const key = lockKey(layout, lock);
  const client = consulFromCommand(command);
  const { value: held } = await client.kv.get(key, { consistency: 'consistent' });
  if (held === undefined) throw new CliError(`no lock key ${key} (list them with: baton get locks)`);
  if (held.session === undefined) {
    process.stdout.write(`lock ${lock} is not held; nothing to release\n`);
    return;
  }
  const session = held.session;
  const holder = decodeHolder(held.value)?.identity ?? null;
  const alive = (await client.session.info(session, { consistency: 'consistent' })) !== undefined;
  if (alive && flags.force !== true) {
    throw new CliError(
      `lock ${lock} is held by ${holder ?? 'an unknown holder'} whose session ${session} is alive: ` +
        `hand it over cleanly with baton step-down ${lock}, or add --force to destroy the session`,
    );
  }
  // Audit first: a destroy is never left unrecorded (a failure after this repeats the request, at worst).
  const observedAt = new Date().toISOString();
  await new EventLog({ client, root: layout.root, stream: SINGLETON_EVENTS }).append([
    {
      ...LOCK_FORCE_RELEASED,
      subject: lock,
      observedAt,
      data: {
        holder,
        session,
        fencingToken: held.modifyIndex,
        sessionAlive: alive,
        message: flags.reason,
        by: operatorName(),
      },
    },
  ]);
  // Destroying the session releases the key; Consul's lock-delay still keeps a new holder out for a while,
  // and the old worker, unable to confirm its term, fences itself off (docs/consul-facts.md §1.5).
  await client.session.destroy(session);
  process.stdout.write(
    `lock ${lock} released: destroyed session ${session} of ${holder ?? 'an unknown holder'} (token ${held.modifyIndex})\n`,
  );
}

/** The key of `NAME` (a singleton) or `exclusive/RESOURCE`, or a usage error that says why not. */
function lockKey(layout: KvLayout, lock: string): string {
  try {
    return lock.startsWith('exclusive/')
      ? layout.locks.resource(lock.slice('exclusive/'.length))
      : layout.locks.singleton(lock);
  } catch (error: unknown) {
    throw new CliError(error instanceof Error ? error.message : String(error), ExitCode.usage);
  }
}
