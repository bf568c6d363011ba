import { describe, expect, it } from 'vitest';
import type { ConsulClient } from '../../src/consul/client.js';
import { singletonRecordKeys } from '../../src/singleton/directives.js';
import { Singleton } from '../../src/singleton/elector.js';
import type { Leadership } from '../../src/singleton/term.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();

const untilAborted = (leadership: Leadership): Promise<void> =>
  new Promise((resolve) => leadership.signal.addEventListener('abort', () => resolve(), { once: true }));

async function writeSpec(client: ConsulClient, name: string, spec: Record<string, unknown>): Promise<void> {
  const record = { apiVersion: 'baton/v1', kind: 'Singleton', metadata: { name, generation: 1 }, spec };
  await client.kv.put(singletonRecordKeys(name).spec, JSON.stringify(record));
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
    expect((await client.kv.get(`baton/v1/locks/${name}`)).value?.session).toBeUndefined();
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
    const held = (await client.kv.get(`baton/v1/locks/${name}`)).value?.session ?? '';
    const request = { session: held, reason: 'test', requestedAt: new Date().toISOString() };
    await client.kv.put(singletonRecordKeys(name).stepDown, JSON.stringify(request));
    await waitFor(() => leaders(all).length === 1 && leaders(all)[0] !== first, { timeoutMs: 15_000 });
    await Promise.all(all.map((c) => c.stop()));
    await Promise.all(runs);
  });
});
