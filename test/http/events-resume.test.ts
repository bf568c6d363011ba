import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerDaemon } from '../../src/controllers/controller-daemon.js';
import { EventLog } from '../../src/events/event-log.js';
import { Cell } from '../../src/presence/cell.js';
import { PRESENCE_STREAM } from '../../src/presence/presence-event.js';
import { SINGLETON_STREAM } from '../../src/singleton/singleton-events.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';
import { readSse, SseClient, startReplica } from './sse-client.js';

const consul = useDevAgent();
const FAST_RETRY = { retryMs: 100 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function track(daemon: ControllerDaemon): ControllerDaemon {
  cleanups.push(() => daemon.stop());
  return daemon;
}

async function startCell(root: string, id: string): Promise<Cell> {
  const cell = new Cell({
    client: consul.get().client,
    root,
    spec: { id, address: `10.0.0.1:${id.length}` },
  });
  await cell.start();
  cleanups.push(() => cell.stop());
  return cell;
}

/** Every event the durable logs hold after the positions the client first connected at. */
async function committedSince(root: string, start: Readonly<Record<string, number>>): Promise<string[]> {
  const ids: string[] = [];
  for (const stream of [PRESENCE_STREAM, SINGLETON_STREAM]) {
    const { events } = await new EventLog({ client: consul.get().client, root, stream }).read(
      start[stream] ?? 0,
      10_000,
    );
    ids.push(...events.map((event) => `${stream}:${event.seq}`));
  }
  return ids;
}

/** Wait until the presence log (after `since`) holds a `type` event for cell `subject`. */
function presenceRecorder(root: string, since: number): (type: string, subject: string) => Promise<void> {
  const presence = new EventLog({ client: consul.get().client, root, stream: PRESENCE_STREAM });
  return (type, subject) =>
    waitFor(
      async () =>
        (await presence.read(since, 1_000)).events.some((e) => e.type === type && e.subject === subject),
      { timeoutMs: 60_000, message: `the active controller never recorded ${type} for ${subject}` },
    );
}

describe('/events resumes with a standard EventSource client', () => {
  it('delivers every event exactly once across a switch of replica and a controller restart, cells dying meanwhile', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('sse-resume');
    let a = await startReplica(client, root, 'replica-a', FAST_RETRY);
    const b = await startReplica(client, root, 'replica-b', FAST_RETRY);
    track(b.daemon);
    cleanups.push(() => a.daemon.stop());
    await waitFor(() => a.daemon.readiness().ready && b.daemon.readiness().ready, { timeoutMs: 60_000 });

    const sse = new SseClient(a.url);
    cleanups.push(() => {
      sse.close();
      return Promise.resolve();
    });
    await waitFor(() => sse.connections() === 1, { message: 'never connected to replica A' });
    const start = sse.received[0]?.data['streams'] as Record<string, number>;

    const cell1 = await startCell(root, 'cell-1');
    await waitFor(() => sse.received.some((row) => row.type === 'CellRegistered'), {
      message: 'CellRegistered never arrived live',
    });

    // Replica A goes away; while the client is disconnected cells register, die and depart.
    sse.hold();
    await a.daemon.stop();
    const cell2 = await startCell(root, 'cell-2');
    await startCell(root, 'cell-3');
    await cell1.abandon();
    const recorded = presenceRecorder(root, start[PRESENCE_STREAM] ?? 0);
    await recorded('CellLost', 'cell-1');
    sse.release(b.url);
    await waitFor(() => sse.connections() === 2, { message: 'never reconnected to replica B' });

    // A controller restart: A comes back as a new process, B goes away, a cell departs meanwhile.
    sse.hold();
    a = await startReplica(client, root, 'replica-a', FAST_RETRY);
    cleanups.push(() => a.daemon.stop());
    await b.daemon.stop();
    await cell2.stop();
    await recorded('CellDeparted', 'cell-2');
    sse.release(a.url);
    await waitFor(() => sse.connections() === 3, { message: 'never reconnected to the restarted replica A' });

    const committed = await committedSince(root, start);
    const missing = (): string[] => committed.filter((id) => !sse.eventIds().includes(id));
    await waitFor(() => missing().length === 0).catch(() => undefined);
    expect(missing()).toEqual([]);
    expect(sse.eventIds()).toHaveLength(new Set(sse.eventIds()).size);
    expect(new Set(sse.eventIds())).toEqual(new Set(await committedSince(root, start)));
    // Each reconnect carried the cursor of every stream.
    expect(sse.lastEventIds).toHaveLength(2);
    for (const id of sse.lastEventIds) expect(id).toMatch(/^presence:\d+,singletons:\d+$/);
    const types = sse.received.map((row) => row.type);
    expect(types).toEqual(expect.arrayContaining(['CellRegistered', 'CellLost', 'CellDeparted']));
    expect(types).not.toContain('Gap');
  });

  it('filters by ?stream and refuses an unknown stream with a clear 400', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('sse-filter');
    const replica = await startReplica(client, root, 'filter-replica', FAST_RETRY);
    track(replica.daemon);

    const bad = await fetch(`${replica.url}/events?stream=presense`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'unknown stream "presense": expected presence or singletons' });

    const sse = new SseClient(replica.url, '/events?stream=singletons');
    cleanups.push(() => {
      sse.close();
      return Promise.resolve();
    });
    await waitFor(() => sse.connections() === 1);
    const observedAt = new Date().toISOString();
    const [presenceEvent] = await new EventLog({ client, root, stream: PRESENCE_STREAM }).append([
      { type: 'CellLost', subject: 'x', observedAt, reason: 'Test' },
    ]);
    const [singletonEvent] = await new EventLog({ client, root, stream: SINGLETON_STREAM }).append([
      { type: 'StepDownRequested', subject: 'y', observedAt, reason: 'Test' },
    ]);
    await waitFor(() => sse.eventIds().includes(`singletons:${singletonEvent?.seq}`));
    expect(sse.eventIds()).not.toContain(`presence:${presenceEvent?.seq}`);
    expect(sse.received.at(-1)?.lastEventId).toBe(`singletons:${singletonEvent?.seq}`);
  });

  it('says so with a Gap event when retention trimmed what the client asked to resume from', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('sse-gap');
    const log = new EventLog({ client, root, stream: PRESENCE_STREAM, retention: 3 });
    const observedAt = new Date().toISOString();
    for (let i = 1; i <= 10; i += 1)
      await log.append([{ type: 'CellLost', subject: `c${i}`, observedAt, reason: 'Test' }]);
    const replica = await startReplica(client, root, 'gap-replica', FAST_RETRY);
    track(replica.daemon);

    // Last-Event-ID wins over ?since=: a reconnecting EventSource keeps the URL it was opened with.
    const text = await readSse(
      `${replica.url}/events?stream=presence&since=presence:0`,
      { 'last-event-id': 'presence:1,singletons:0' },
      (received) => received.includes('id: presence:10\n'),
    );
    expect(text).toMatch(/^retry: 100\n/);
    expect(text).toContain('id: presence:7\nevent: Gap\ndata: {"stream":"presence","from":2,"to":7}\n');
    const seqs = [...text.matchAll(/^id: presence:(\d+)\nevent: CellLost\n/gm)].map((m) => Number(m[1]));
    expect(seqs).toEqual([8, 9, 10]);
  });
});
