import { describe, expect, it } from 'vitest';
import type { ConsulClient } from '../../src/consul/client.js';
import { EventLog } from '../../src/events/event-log.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { ErrorCode, Singleton, SINGLETON_EVENTS, stepDown, type Leadership } from '../../src/index.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

const untilAborted = (leadership: Leadership): Promise<void> =>
  new Promise((resolve) => leadership.signal.addEventListener('abort', () => resolve(), { once: true }));

function candidate(client: ConsulClient, root: string, identity: string, directives = true): Singleton {
  return new Singleton({ client, root, name: 'worker', identity, work: untilAborted, directives });
}

async function lockSession(client: ConsulClient, layout: KvLayout): Promise<string | undefined> {
  return (await client.kv.get(layout.locks.singleton('worker'), { consistency: 'consistent' })).value
    ?.session;
}

describe('stepDown, the library form of baton step-down, against a real Consul agent', () => {
  it('asks the holder, audits the request, and returns once the lock has left its session', async () => {
    const { client } = consul.get();
    const layout = new KvLayout(uniquePrefix('step-down'));
    const all = [candidate(client, layout.root, 'a'), candidate(client, layout.root, 'b')];
    const runs = all.map((c) => c.start());
    await waitFor(() => all.some((c) => c.state === 'leading'));
    const first = all.find((c) => c.state === 'leading');
    const firstSession = await lockSession(client, layout);

    const result = await stepDown(client, 'worker', {
      reason: 'kernel upgrade',
      root: layout.root,
      requestedBy: 'ops@test',
      waitMs: 30_000,
    });

    expect(result.outcome).toBe('handed-over');
    expect(result.asked).toMatchObject({ session: firstSession, holder: { identity: first?.identity } });
    expect(result.next?.session).not.toBe(firstSession);
    // The other candidate takes over; the one that stepped down did not fail.
    await waitFor(() => all.some((c) => c.state === 'leading' && c !== first));
    const { events } = await new EventLog({ client, root: layout.root, stream: SINGLETON_EVENTS }).read(0);
    expect(events.filter((event) => event.type === 'StepDownRequested')).toMatchObject([
      {
        subject: 'worker',
        reason: 'OperatorRequest',
        data: { holder: first?.identity, session: firstSession, message: 'kernel upgrade', by: 'ops@test' },
      },
    ]);
    await Promise.all(all.map((c) => c.stop()));
    await Promise.all(runs);
  });

  it('waitMs 0 asks and returns; a holder that does not obey is reported still holding after waitMs', async () => {
    const { client } = consul.get();
    const layout = new KvLayout(uniquePrefix('step-down'));
    // `directives: false` stands for a holder older than step-down support: it never reads the request.
    const deaf = candidate(client, layout.root, 'deaf', false);
    const run = deaf.start();
    await waitFor(() => deaf.state === 'leading');
    const session = await lockSession(client, layout);

    const asked = await stepDown(client, 'worker', { reason: 'r', root: layout.root, waitMs: 0 });
    expect(asked).toMatchObject({ outcome: 'requested', asked: { session }, next: undefined });
    const waited = await stepDown(client, 'worker', { reason: 'r', root: layout.root, waitMs: 1_500 });
    expect(waited).toMatchObject({ outcome: 'still-held', asked: { session, holder: { identity: 'deaf' } } });
    expect(await lockSession(client, layout)).toBe(session);
    await deaf.stop();
    await run;
  });

  it('nobody holding is an InvalidStateError; a name the grammar refuses is a ConfigError', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('step-down');
    await expect(stepDown(client, 'worker', { reason: 'r', root })).rejects.toMatchObject({
      code: ErrorCode.InvalidState,
      message: 'nobody holds singleton worker; nothing to step down',
    });
    await expect(stepDown(client, 'a.b', { reason: 'r', root })).rejects.toMatchObject({
      code: ErrorCode.Config,
    });
    // Nothing was requested for nobody.
    expect((await client.kv.list(`${root}/`)).value).toEqual([]);
  });
});
