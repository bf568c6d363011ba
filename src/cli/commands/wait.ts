import type { Command } from 'commander';
import { findCondition } from '../../api/condition.js';
import { blockingLoop } from '../../consul/blocking.js';
import { RecordStore } from '../../store/record-store.js';
import type { RecordEntry } from '../../store/record-entry.js';
import { addDurationFlags, parseDurationFlag, type DurationFlag } from '../duration-flag.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { kindArgument, nameArgument } from '../kind-argument.js';

/** What `--for` waits for: a condition with a status, or the record's deletion. */
type WaitFor =
  | { readonly what: 'condition'; readonly type: string; readonly status: 'True' | 'False' | 'Unknown' }
  | { readonly what: 'delete' };

/** `--timeout` always took a duration (a bare number is refused). */
const TIME_FLAGS = {
  timeout: { name: '--timeout', description: 'give up after this long', defaultMs: 30_000, minMs: 0 },
} as const satisfies Record<string, DurationFlag>;

export function registerWait(program: Command): void {
  const command = program
    .command('wait')
    .description(
      'wait until a record has a condition, or is deleted (exit 0), or the timeout passes (exit 1)',
    )
    .argument('<type/name>', 'e.g. singleton/converger or cell/cell-7')
    .requiredOption('--for <what>', 'condition=TYPE[=True|False|Unknown] (e.g. condition=Held), or delete');
  addDurationFlags(command, TIME_FLAGS).action(
    async (target: string, flags: { for: string; timeout: string }, command: Command) => {
      const [type = '', name = ''] = target.split('/');
      const kind = kindArgument(type);
      const recordName = nameArgument(name);
      const goal = parseFor(flags.for);
      const timeoutMs = parseDurationFlag(TIME_FLAGS.timeout, flags.timeout);
      const client = consulFromCommand(command);
      const store = new RecordStore(client, kind, { root: layoutFromCommand(command).root });
      const signal = AbortSignal.timeout(timeoutMs);
      const answers = blockingLoop(
        async (read) => {
          // One blocking query on this record's keys: it answers as soon as any of them changes.
          const { value, index } = await client.kv.list(store.keys.recordPrefix(recordName), read);
          return { value: store.decode(value).find((entry) => entry.name === recordName), index };
        },
        { signal, waitMs: Math.min(timeoutMs, 30_000) },
      );
      try {
        for await (const { value } of answers) {
          if (met(goal, value)) {
            process.stdout.write(
              `${kind.singular}/${recordName} ${goal.what === 'delete' ? 'deleted' : `condition met: ${goal.type}=${goal.status}`}\n`,
            );
            return;
          }
        }
      } catch (error: unknown) {
        if (!signal.aborted) throw error;
      }
      throw new CliError(
        `timed out after ${flags.timeout} waiting for ${kind.singular}/${recordName} (--for=${flags.for})`,
      );
    },
  );
}

function parseFor(text: string): WaitFor {
  if (text === 'delete') return { what: 'delete' };
  const match = /^condition=([A-Za-z]+)(?:=(True|False|Unknown))?$/.exec(text);
  if (match === null) {
    throw new CliError(
      `--for takes condition=TYPE[=True|False|Unknown] or delete, got "${text}"`,
      ExitCode.usage,
    );
  }
  return {
    what: 'condition',
    type: match[1] ?? '',
    status: (match[2] ?? 'True') as 'True' | 'False' | 'Unknown',
  };
}

function met(goal: WaitFor, entry: RecordEntry | undefined): boolean {
  if (goal.what === 'delete') return entry === undefined;
  const condition = findCondition(entry?.record?.status?.conditions ?? [], goal.type);
  return condition?.status === goal.status;
}
