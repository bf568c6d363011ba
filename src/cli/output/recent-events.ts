import type { ConsulClient } from '../../consul/client.js';
import { EventLog } from '../../events/event-log.js';
import type { BatonRecord } from '../../api/kinds.js';
import { streamOfKind } from '../../controllers/event-streams.js';
import { formatAge, renderTable } from './table.js';

/** How far back in its stream `describe` looks for a record's events. */
const LOOKBACK = 500;
const SHOWN = 10;

/** The `Events:` section of `baton describe`: the record's latest events from the durable log. */
export async function recentEvents(
  client: ConsulClient,
  root: string,
  kind: BatonRecord['kind'],
  name: string,
): Promise<string> {
  const log = new EventLog({ client, root, stream: streamOfKind(kind) });
  const head = await log.head();
  const { events } = await log.read(Math.max(0, head - LOOKBACK), LOOKBACK);
  const mine = events.filter((event) => event.subject === name).slice(-SHOWN);
  if (mine.length === 0) return 'Events:            <none>\n';
  const now = new Date();
  const rows = mine.map((event) => [
    String(event.seq),
    formatAge(event.observedAt, now),
    event.type,
    event.reason,
    detail(event.data),
  ]);
  return `Events:\n${renderTable(['SEQ', 'AGE', 'TYPE', 'REASON', 'DETAIL'], rows).replace(/^(?=.)/gm, '  ')}`;
}

function detail(data: Readonly<Record<string, unknown>> | undefined): string {
  if (data === undefined) return '';
  const holder = data['holder'];
  const token = data['fencingToken'];
  const message = data['message'];
  if (typeof message === 'string') return message;
  if (typeof holder === 'string')
    return `holder ${holder}${typeof token === 'number' ? ` token ${token}` : ''}`;
  return holder === null ? 'no holder' : '';
}
