import { afterEach, describe, expect, it } from 'vitest';
import { ConsulPermissionError } from '../../src/consul/errors.js';
import { Singleton } from '../../src/singleton/elector.js';
import { KvLayout } from '../../src/layout/kv-layout.js';

const lockKey = (name: string): string => new KvLayout().locks.singleton(name);
import { useAclDevAgent } from '../support/acl-agent.js';
import { waitFor } from '../support/wait.js';

const consul = useAclDevAgent();
const running: Singleton[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

function candidate(token: string, identity: string, terms: string[]): Singleton {
  const singleton = new Singleton({
    client: consul.get().clientWith(token),
    name: 'revoked',
    identity,
    directives: false,
    sessionTtlMs: 2_000,
    work: async (leadership) => {
      terms.push(`${identity}:${leadership.token}`);
      await new Promise((done) => leadership.signal.addEventListener('abort', done, { once: true }));
    },
  });
  running.push(singleton);
  return singleton;
}

describe('a holder whose ACL token is deleted mid-term', () => {
  it('ends its term loudly, and the session backstop lets a successor in', async () => {
    const { client, createRoleToken } = consul.get();
    const doomedToken = await createRoleToken('singleton-candidate', { name: 'revoked' });
    const healthyToken = await createRoleToken('singleton-candidate', { name: 'revoked' });
    const terms: string[] = [];
    const doomed = candidate(doomedToken, 'doomed', terms);
    const failed = doomed.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitFor(() => doomed.state === 'leading', { message: 'the first candidate never led' });
    const successor = candidate(healthyToken, 'successor', terms);
    void successor.start();
    await waitFor(() => successor.state === 'waiting', { message: 'the successor never waited' });

    const { accessorId } = await consul.get().clientWith(doomedToken).acl.readSelf();
    await client.acl.deleteToken(accessorId);

    // The holder cannot heartbeat, release or destroy: it must stop, and fail rather than retry forever.
    expect(await failed).toBeInstanceOf(ConsulPermissionError);
    expect(doomed.state).toBe('failed');
    // Its agent cannot sync the check with a deleted token; only the session TTL ends the session.
    await waitFor(() => successor.state === 'leading', {
      timeoutMs: 30_000,
      message: 'no successor: the dead holder kept the lock',
    });
    const { value } = await client.kv.get(lockKey('revoked'), { consistency: 'consistent' });
    expect(value?.session).toBeDefined();
    expect(JSON.parse(value?.value.toString('utf8') ?? '{}')).toMatchObject({ identity: 'successor' });
    expect(terms.map((t) => t.split(':')[0])).toEqual(['doomed', 'successor']);
  });
});
