import type { Command } from 'commander';
import { CellKind, SingletonKind } from '../../api/kinds.js';
import { EVENT_STREAMS, streamOfKind } from '../../controllers/event-streams.js';
import type { BatonEvent } from '../../events/event.js';
import { EventLog } from '../../events/event-log.js';
import { PRESENCE_STREAM } from '../../presence/presence-event.js';
import { ConfigError } from '../../errors.js';
import { CliError, ExitCode } from '../exit.js';
import { consulFromCommand, layoutFromCommand } from '../global-options.js';
import { kindArgument, nameArgument } from '../kind-argument.js';

interface EventsFlags {
  stream?: string;
  since: string;
  follow?: boolean;
  output: string;
  for?: string;
  type: string[];
}

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description('print events from the durable event log (presence by default); --follow to keep streaming')
    .option('--stream <name>', `event stream: ${EVENT_STREAMS.join(' or ')} (default ${PRESENCE_STREAM})`)
    .option('--for <kind/name>', "only one record's events: singleton/NAME or cell/NAME (picks the stream)")
    .option(
      '--type <type>',
      'only events of this type, e.g. CellLost (repeat it or give a comma list)',
      (value: string, previous: string[]) => [...previous, ...value.split(',')],
      [],
    )
    .option(
      '--since <seq>',
      'print events after this sequence number (resume from the last one you saw)',
      '0',
    )
    .option('-f, --follow', 'keep printing new events until interrupted')
    .option('-o, --output <format>', 'text or json (one JSON object per line)', 'text')
    .action(async (flags: EventsFlags, command: Command) => {
      process.exitCode = await runEvents(flags, command);
    });
}

/** Which stream to read and which of its events to print. */
interface Selection {
  readonly stream: string;
  readonly matches: (event: BatonEvent) => boolean;
}

function selection(flags: EventsFlags): Selection {
  if (flags.stream !== undefined && !EVENT_STREAMS.includes(flags.stream)) {
    throw new CliError(
      `unknown stream "${flags.stream}": expected ${EVENT_STREAMS.join(' or ')}`,
      ExitCode.usage,
    );
  }
  let stream = flags.stream ?? PRESENCE_STREAM;
  let subject: string | undefined;
  if (flags.for !== undefined) {
    const [kindText = '', name, ...rest] = flags.for.split('/');
    if (name === undefined || rest.length > 0) {
      throw new CliError(`--for must be singleton/NAME or cell/NAME, got "${flags.for}"`, ExitCode.usage);
    }
    const kind = kindArgument(kindText, [SingletonKind, CellKind]);
    subject = nameArgument(name);
    const ofKind = streamOfKind(kind.kind);
    if (flags.stream !== undefined && flags.stream !== ofKind) {
      throw new CliError(
        `--for ${flags.for} reads stream ${ofKind}, not --stream ${flags.stream}`,
        ExitCode.usage,
      );
    }
    stream = ofKind;
  }
  const types = new Set(flags.type.map((type) => type.trim().toLowerCase()).filter((type) => type !== ''));
  if (flags.type.length > 0 && types.size === 0)
    throw new CliError('--type needs an event type', ExitCode.usage);
  return {
    stream,
    matches: (event) =>
      (subject === undefined || event.subject === subject) &&
      (types.size === 0 || types.has(event.type.toLowerCase())),
  };
}

async function runEvents(flags: EventsFlags, command: Command): Promise<number> {
  const since = Number(flags.since);
  if (!Number.isSafeInteger(since) || since < 0) {
    throw new CliError(`--since must be a sequence number >= 0, got "${flags.since}"`, ExitCode.usage);
  }
  if (flags.output !== 'text' && flags.output !== 'json') {
    throw new CliError(`-o must be text or json, got "${flags.output}"`, ExitCode.usage);
  }
  const { stream, matches } = selection(flags);
  let log: EventLog;
  try {
    log = new EventLog({
      client: consulFromCommand(command),
      root: layoutFromCommand(command).root,
      stream,
    });
  } catch (error: unknown) {
    if (error instanceof RangeError || error instanceof ConfigError)
      throw new CliError(error.message, ExitCode.usage);
    throw error;
  }
  const printOne = flags.output === 'json' ? printJson : printText;
  const print = (event: BatonEvent): void => {
    if (matches(event)) printOne(event);
  };
  if (flags.output === 'text') process.stdout.write('SEQ\tOBSERVED\tTYPE\tSUBJECT\tINCARNATION\tREASON\n');
  const warnGap = (from: number, to: number): void => {
    process.stderr.write(`baton: events ${from}..${to} were trimmed by retention before they were read\n`);
  };

  // Drain what is retained first: this also fails fast (exit 4) when Consul is unreachable.
  let cursor = since;
  for (;;) {
    const batch = await log.read(cursor, 500);
    if (batch.gap) warnGap(cursor + 1, (batch.events[0]?.seq ?? batch.head + 1) - 1);
    for (const event of batch.events) print(event);
    cursor = batch.events.at(-1)?.seq ?? batch.head;
    if (cursor >= batch.head) break;
  }
  if (flags.follow !== true) return ExitCode.ok;

  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await log.subscribe({ since: cursor, signal: stop.signal, onGap: warnGap }, print);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return ExitCode.ok;
}

function printJson(event: BatonEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function printText(event: BatonEvent): void {
  const fields = [
    event.seq,
    event.observedAt,
    event.type,
    event.subject,
    event.incarnation ?? '-',
    event.reason,
  ];
  process.stdout.write(`${fields.join('\t')}\n`);
}
