import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EventLog } from '../../src/events/event-log.js';
import { monotonicNowMs } from '../history.js';
import { RUN_TAG_VAR, type CampaignContext } from './context.js';
import { descendants, signalEach, taggedProcesses } from './process-tree.js';
import { STREAMS, type Stream } from './subscribers.js';

const run = promisify(execFile);

/** The end-of-run reads (and ACL writes) must not fail on one busy answer (a 429, a timeout): retry. */
export async function retrying<T>(read: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (error: unknown) {
      if (attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/** Read every durable log whole into `log` lines; returns each stream's head. */
export async function finalLogs(context: CampaignContext): Promise<Map<Stream, number>> {
  const heads = new Map<Stream, number>();
  for (const stream of STREAMS) {
    const log = new EventLog({ client: context.topology.observer(), stream });
    let cursor = 0;
    for (;;) {
      const batch = await retrying(() => log.read(cursor, 500));
      heads.set(stream, batch.head);
      for (const event of batch.events) {
        context.history.write({
          k: 'log',
          t: monotonicNowMs(),
          stream,
          seq: event.seq,
          type: event.type,
          subject: event.subject,
          ...(event.incarnation === undefined ? {} : { incarnation: event.incarnation }),
        });
        cursor = event.seq;
      }
      if (batch.events.length === 0 || cursor >= batch.head) break;
    }
  }
  return heads;
}

interface CellRecordJson {
  readonly metadata: { readonly name: string };
  readonly status?: { readonly phase?: string; readonly incarnation?: string };
}

/** Every Cell record's phase, through `baton get cells -o json` (what an operator sees). */
export async function recordCells(context: CampaignContext): Promise<number> {
  const address = context.topology.observer().address;
  const { stdout } = await run(process.execPath, [context.cli, 'get', 'cells', '-o', 'json'], {
    env: { ...process.env, CONSUL_HTTP_ADDR: address },
    maxBuffer: 64 * 1024 * 1024,
  });
  const parsed = JSON.parse(stdout) as CellRecordJson[] | { items: CellRecordJson[] };
  const records = Array.isArray(parsed) ? parsed : parsed.items;
  for (const record of records) {
    context.history.write({
      k: 'record',
      t: monotonicNowMs(),
      cell: record.metadata.name,
      phase: record.status?.phase ?? 'Unknown',
      ...(record.status?.incarnation === undefined ? {} : { incarnation: record.status.incarnation }),
    });
  }
  return records.length;
}

/**
 * Kills the campaign's processes that escaped their supervisor (a worker's grandchild orphaned by a
 * SIGKILL of `baton run`) after they have been orphans for `graceMs`: long enough for the history to show
 * them acting next to a successor, short enough that they do not pile up.
 */
export class OrphanReaper {
  readonly #seen = new Map<number, number>();

  constructor(
    readonly runTag: string,
    readonly graceMs = 5_000,
  ) {}

  reap(): void {
    const ours = new Set(descendants(process.pid));
    const now = Date.now();
    const orphans = taggedProcesses(RUN_TAG_VAR, this.runTag).filter((pid) => !ours.has(pid));
    for (const pid of [...this.#seen.keys()]) if (!orphans.includes(pid)) this.#seen.delete(pid);
    for (const pid of orphans) {
      const since = this.#seen.get(pid) ?? now;
      this.#seen.set(pid, since);
      if (now - since >= this.graceMs) signalEach([pid], 'SIGKILL');
    }
  }
}

/** `--label` arguments adding up to ~200 KB: the oversized registration. */
export function bigLabels(): string[] {
  return Array.from({ length: 50 }, (_, i) => ['--label', `big${i}=${'x'.repeat(4_000)}`]).flat();
}
