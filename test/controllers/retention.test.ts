import { afterEach, describe, expect, it } from 'vitest';
import { CellKind } from '../../src/api/kinds.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { Cell } from '../../src/presence/cell.js';
import { RecordStore } from '../../src/store/record-store.js';
import { CliProcesses } from '../support/cli.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();
const processes = new CliProcesses();

afterEach(async () => {
  await processes.stopAll();
});

describe('retention (built CLI controller, real Consul, short retentions)', () => {
  it('deletes Lost and Departed Cell records and unheld lock keys after their retention; keeps live ones', async () => {
    const { client } = consul.get();
    const root = uniquePrefix('retention');
    const layout = new KvLayout(root);
    const cells = new RecordStore(client, CellKind, { root });
    const phase = async (id: string): Promise<string | undefined> =>
      (await cells.get(id))?.record?.status?.phase;

    // Lock keys: one nobody holds (an abandoned `lock --try` resource), one held by a live session.
    const abandoned = layout.locks.resource('abandoned');
    const busy = layout.locks.resource('busy');
    await client.kv.put(abandoned, '');
    const session = await client.session.create({
      name: 'retention-test',
      ttlMs: 120_000,
      lockDelayMs: 0,
      nodeChecks: [],
    });
    expect(await client.kv.put(busy, 'held', { acquire: session })).toBe(true);

    processes.start(
      ['controller', '--http', 'off', '--resync', '1', '--cell-retention', '3s', '--lock-retention', '3s'],
      { CONSUL_HTTP_ADDR: consul.get().agent.httpAddr, BATON_ROOT: root },
    );
    const spec = (id: string): { id: string; address: string } => ({ id, address: '127.0.0.1:7001' });
    const keeper = new Cell({ client, root, spec: spec('keeper') });
    const leaver = new Cell({ client, root, spec: spec('leaver') });
    const loser = new Cell({ client, root, spec: spec('loser') });
    await Promise.all([keeper.start(), leaver.start(), loser.start()]);
    for (const id of ['keeper', 'leaver', 'loser']) {
      await waitFor(async () => (await phase(id)) === 'Present', { message: `${id} never Present` });
    }

    await leaver.stop();
    await loser.abandon();
    // Each record first shows how its cell ended, then goes once the retention has passed.
    await waitFor(async () => (await phase('leaver')) === 'Departed', { timeoutMs: 60_000 });
    await waitFor(async () => (await phase('loser')) === 'Lost', { timeoutMs: 60_000 });
    for (const id of ['leaver', 'loser']) {
      await waitFor(async () => (await cells.get(id)) === undefined, {
        timeoutMs: 60_000,
        message: `the ${id} record was never deleted`,
      });
      expect((await client.kv.get(layout.presence.outcome(id))).value).toBeUndefined();
    }
    await waitFor(async () => (await client.kv.get(abandoned)).value === undefined, {
      timeoutMs: 60_000,
      message: 'the abandoned lock key was never deleted',
    });

    // The live cell and the held lock outlived several retentions' worth of passes.
    expect(await phase('keeper')).toBe('Present');
    const held = (await client.kv.get(busy)).value;
    expect(held?.session).toBe(session);
    expect(held?.flags).toBe(0n);
    await keeper.stop();
    await client.session.destroy(session);
  });
});
