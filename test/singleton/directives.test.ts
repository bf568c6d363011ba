import { describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { Singleton } from '../../src/singleton/elector.js';
import type { Leadership } from '../../src/singleton/term.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();
const layout = new KvLayout();

const untilAborted = (leadership: Leadership): Promise<void> =>
  new Promise((resolve) => leadership.signal.addEventListener('abort', () => resolve(), { once: true }));

async function writeSpec(client: ConsulClient, name: string, spec: Record<string, unknown>): Promise<void> {
  const record = { apiVersion: 'baton/v1', kind: 'Singleton', metadata: { name, generation: 1 }, spec };
  await client.kv.put(layout.singletons.spec(name), JSON.stringify(record));
}

function candidates(client: ConsulClient, name: string, identities: string[]): Singleton[] {
  return identities.map(
    (identity) => new Singleton({ client, name, identity, work: untilAborted, stepDownBackoffMs: 300 }),
  );
}

const leaders = (all: Singleton[]): Singleton[] => all.filter((c) => c.state === 'leading');

describe('singleton directives from the record, against a real Consul agent', () => {
  it('paused: the worker stands down cleanly and nobody leads until unpaused', async () => {
    const { client } = consul.get();
    const name = uniquePrefix('paused').replace('baton-test/', 't-');
    const all = candidates(client, name, ['a', 'b']);
    const runs = all.map((c) => c.start());
    await waitFor(() => leaders(all).length === 1);
    await writeSpec(client, name, { paused: true });
    await waitFor(() => leaders(all).length === 0);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(leaders(all)).toHaveLength(0);
    expect((await client.kv.get(layout.locks.singleton(name))).value?.session).toBeUndefined();
    await writeSpec(client, name, { paused: false });
    await waitFor(() => leaders(all).length === 1);
    await Promise.all(all.map((c) => c.stop()));
    await Promise.all(runs);
  });

  it('preferredHolder: the worker hands over to the preferred candidate once it is waiting', async () => {
    const { client } = consul.get();
    const name = uniquePrefix('preferred').replace('baton-test/', 't-');
    const [a, b] = candidates(client, name, ['a', 'b']);
    if (a === undefined || b === undefined) throw new Error('two candidates expected');
    const runs = [a.start()];
    await waitFor(() => a.state === 'leading');
    await writeSpec(client, name, { preferredHolder: 'b' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(a.state).toBe('leading'); // b is not a candidate yet: a keeps working
    runs.push(b.start());
    await waitFor(() => b.state === 'leading', { timeoutMs: 15_000 });
    expect(a.state).not.toBe('leading');
    await Promise.all([a.stop(), b.stop()]);
    await Promise.all(runs);
  });

  it('step-down request: only the named holder session hands over', async () => {
    const { client } = consul.get();
    const name = uniquePrefix('stepdown').replace('baton-test/', 't-');
    const all = candidates(client, name, ['a', 'b']);
    const runs = all.map((c) => c.start());
    await waitFor(() => leaders(all).length === 1);
    const first = leaders(all)[0];
    const held = (await client.kv.get(layout.locks.singleton(name))).value?.session ?? '';
    const request = { session: held, reason: 'test', requestedAt: new Date().toISOString() };
    await client.kv.put(layout.singletons.stepDown(name), JSON.stringify(request));
    await waitFor(() => leaders(all).length === 1 && leaders(all)[0] !== first, { timeoutMs: 15_000 });
    await Promise.all(all.map((c) => c.stop()));
    await Promise.all(runs);
  });

  it('a pause that lands between the acquire and the start of the term is obeyed, not ignored', async () => {
    const { agent } = consul.get();
    const name = uniquePrefix('pause-race').replace('baton-test/', 't-');
    // A client of its own whose acquiring write lets the pause land (and reach the candidate's directive
    // watch) before the candidate goes on to start its term: the race, made deterministic.
    const racing = new ConsulClient({ baseUrl: agent.httpAddr });
    const runTxn = racing.txn.run.bind(racing.txn);
    const seen: { singleton?: Singleton } = {};
    let raced = false;
    // The campaign acquires with a `/v1/txn` `lock` op (the acquire reports the fencing token).
    racing.txn.run = async (ops, signal) => {
      const result = await runTxn(ops, signal);
      if (ops[0]?.verb === 'lock' && !raced) {
        raced = true;
        await writeSpec(racing, name, { paused: true });
        await waitFor(() => seen.singleton?.directives.paused === true);
      }
      return result;
    };
    let workRuns = 0;
    const singleton = new Singleton({
      client: racing,
      name,
      identity: 'racer',
      stepDownBackoffMs: 300,
      work: async (leadership) => {
        workRuns += 1;
        await untilAborted(leadership);
      },
    });
    seen.singleton = singleton;
    const run = singleton.start();
    await waitFor(() => raced);
    await waitFor(
      async () => (await racing.kv.get(layout.locks.singleton(name))).value?.session === undefined,
      {
        message: 'the paused singleton kept the lock',
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(singleton.state).not.toBe('leading');
    expect(workRuns).toBe(0);
    await singleton.stop();
    await run;
  });

  it('preferredHolder naming the departing holder: a waiter wakes on its session going, not a poll', async () => {
    const { client } = consul.get();
    const name = uniquePrefix('preferred-departs').replace('baton-test/', 't-');
    // A recheck far beyond the test's timeout: only waking on the session change can hand over in time.
    const make = (identity: string): Singleton =>
      new Singleton({ client, name, identity, work: untilAborted, preferenceRecheckMs: 120_000 });
    const a = make('a');
    const b = make('b');
    const runs = [a.start()];
    await waitFor(() => a.state === 'leading');
    await writeSpec(client, name, { preferredHolder: 'a' });
    runs.push(b.start());
    await waitFor(() => b.state === 'waiting' && b.directives.preferredHolder === 'a');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await a.stop();
    await waitFor(() => b.state === 'leading', { timeoutMs: 30_000, message: 'b never took over' });
    await b.stop();
    await Promise.all(runs);
  });
});
