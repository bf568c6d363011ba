import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import { ConsulUnreachableError } from '../../src/consul/errors.js';
import { ConsulAgentProcess } from '../../src/dev/agent-process.js';
import { freePort } from '../../src/dev/ports.js';
import { agentDisposable, consulBinary, uniquePrefix, useFixture } from '../support/consul.js';

/** A dev agent that also serves HTTPS, with a CA and server certificate made by `consul tls`. */
const tls = useFixture(
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-tls-'));
    execFileSync(consulBinary(), ['tls', 'ca', 'create'], { cwd: dir, stdio: 'ignore' });
    execFileSync(consulBinary(), ['tls', 'cert', 'create', '-server', '-dc', 'dc1'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const httpsPort = await freePort();
    const agent = await ConsulAgentProcess.start({
      binary: consulBinary(),
      nodeName: 'tls-dev',
      mode: 'dev',
      extraHcl: [
        `ports { https = ${httpsPort} }`,
        `tls { defaults { ca_file = "${dir}/consul-agent-ca.pem" cert_file = "${dir}/dc1-server-consul-0.pem" ` +
          `key_file = "${dir}/dc1-server-consul-0-key.pem" verify_incoming = false } }`,
      ],
    });
    await agent.waitReady();
    return { agent, httpsAddr: `https://127.0.0.1:${httpsPort}`, caFile: `${dir}/consul-agent-ca.pem` };
  },
  (fixture) => agentDisposable(fixture.agent),
);

describe('TLS: CONSUL_HTTP_ADDR=https://... with CONSUL_CACERT', () => {
  it('talks to an HTTPS agent whose certificate the given CA signed', async () => {
    const { httpsAddr, caFile } = tls.get();
    const client = ConsulClient.fromEnv({}, { CONSUL_HTTP_ADDR: httpsAddr, CONSUL_CACERT: caFile });
    expect(client.address).toBe(httpsAddr);
    expect(await client.leader()).toBeDefined();
    const key = `${uniquePrefix('tls')}/k`;
    expect(await client.kv.put(key, 'over tls')).toBe(true);
    expect((await client.kv.get(key)).value?.value.toString()).toBe('over tls');
  });

  it('refuses the agent without the CA (certificate not trusted), as unreachable with the TLS cause', async () => {
    const { httpsAddr } = tls.get();
    const client = ConsulClient.fromEnv({}, { CONSUL_HTTP_ADDR: httpsAddr });
    const error = await client.leader().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsulUnreachableError);
    expect(String((error as { cause?: { cause?: unknown } }).cause?.cause)).toMatch(/certificate/i);
  });

  it('CONSUL_HTTP_SSL=true turns a bare host:port into https', async () => {
    const { httpsAddr, caFile } = tls.get();
    const bare = httpsAddr.replace('https://', '');
    const client = ConsulClient.fromEnv(
      {},
      { CONSUL_HTTP_ADDR: bare, CONSUL_HTTP_SSL: 'true', CONSUL_CACERT: caFile },
    );
    expect(client.address).toBe(httpsAddr);
    expect(await client.leader()).toBeDefined();
  });
});
