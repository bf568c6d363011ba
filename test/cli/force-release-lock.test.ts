import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/events/event-log.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { SINGLETON_STREAM } from '../../src/singleton/singleton-events.js';
import { builtCli, CliProcesses } from '../support/cli.js';
import { runBaton } from '../support/cli-run.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

const consul = useDevAgent();
const processes = new CliProcesses();

beforeAll(async () => {
  await builtCli();
});

afterEach(async () => {
  await processes.stopAll();
});

describe('baton force-release-lock', () => {
  it('refuses while the holder session is alive; with --force destroys it and records who, when, which session', async () => {
    const root = uniquePrefix('force');
    const env = { CONSUL_HTTP_ADDR: consul.get().agent.httpAddr, BATON_ROOT: root };
    const { client } = consul.get();
    const key = new KvLayout(root).locks.singleton('stuck');
    processes.start(['run', '--singleton', 'stuck', '--identity', 'stuck-1', '--', 'sleep', '120'], env);
    let session = '';
    await waitFor(async () => {
      session = (await client.kv.get(key)).value?.session ?? '';
      return session !== '';
    });

    const refused = await runBaton(['force-release-lock', 'stuck', '--reason', 'hung'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^baton: lock stuck is held by stuck-1 whose session \S+ is alive: /);
    expect((await client.kv.get(key)).value?.session).toBe(session);

    const forced = await runBaton(['force-release-lock', 'stuck', '--reason', 'hung', '--force'], env);
    expect(forced.stderr).toBe('');
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain(`destroyed session ${session} of stuck-1`);
    expect(await client.session.info(session)).toBeUndefined();
    expect((await client.kv.get(key)).value?.session).not.toBe(session);

    const log = new EventLog({ client, root, stream: SINGLETON_STREAM });
    const { events } = await log.read(0, 100);
    const audit = events.find((event) => event.type === 'LockForceReleased');
    expect(audit).toMatchObject({
      subject: 'stuck',
      reason: 'OperatorForced',
      data: { holder: 'stuck-1', session, sessionAlive: true, message: 'hung' },
    });
    expect(String(audit?.data?.['by'])).toContain('@');

    const free = await runBaton(['force-release-lock', 'exclusive/nothing', '--reason', 'x'], env);
    expect(free.status).toBe(1);
    expect(free.stderr).toContain('no lock key');
    expect((await runBaton(['force-release-lock', 'Bad Name', '--reason', 'x'], env)).status).toBe(2);
  });
});
