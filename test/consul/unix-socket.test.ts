import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import { ConsulUnreachableError } from '../../src/consul/errors.js';
import { ConsulAgentProcess } from '../../src/dev/agent-process.js';
import { agentDisposable, consulBinary, uniquePrefix, useFixture } from '../support/consul.js';

/** A dev agent that serves its HTTP API on TCP and on a unix socket. */
const agent = useFixture(
  async () => {
    const socket = join(mkdtempSync(join(tmpdir(), 'baton-sock-')), 'http.sock');
    const process = await ConsulAgentProcess.start({
      binary: consulBinary(),
      nodeName: 'unix-dev',
      mode: 'dev',
      extraHcl: [`addresses { http = "127.0.0.1 unix://${socket}" }`],
    });
    await process.waitReady();
    return { process, socket };
  },
  (fixture) => agentDisposable(fixture.process),
);

describe('CONSUL_HTTP_ADDR=unix:///path', () => {
  it('talks to the agent through its unix socket', async () => {
    const { socket } = agent.get();
    const client = ConsulClient.fromEnv({}, { CONSUL_HTTP_ADDR: `unix://${socket}` });
    expect(client.address).toBe(`unix://${socket}`);
    const key = `${uniquePrefix('unix')}/k`;
    expect(await client.kv.put(key, 'over a socket')).toBe(true);
    expect((await client.kv.get(key)).value?.value.toString()).toBe('over a socket');
  });

  it('reports a socket nobody listens on as unreachable, naming the socket', async () => {
    const client = ConsulClient.fromEnv({}, { CONSUL_HTTP_ADDR: 'unix:///nonexistent/consul.sock' });
    const error: unknown = await client.leader().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsulUnreachableError);
    expect((error as Error).message).toContain('unix:///nonexistent/consul.sock');
  });
});
