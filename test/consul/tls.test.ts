import { describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import { ConsulUnreachableError } from '../../src/consul/errors.js';
import { uniquePrefix } from '../support/consul.js';
import { useHttpsAgent } from '../support/mtls-agent.js';

/** A dev agent that also serves HTTPS, with a CA and server certificate made by `consul tls`. */
const https = useHttpsAgent({ verifyIncoming: false });

describe('TLS: CONSUL_HTTP_ADDR=https://... with CONSUL_CACERT', () => {
  it('talks to an HTTPS agent whose certificate the given CA signed', async () => {
    const { httpsAddr, certs } = https.get();
    const caFile = certs.caFile;
    const client = ConsulClient.fromEnv({}, { CONSUL_HTTP_ADDR: httpsAddr, CONSUL_CACERT: caFile });
    expect(client.address).toBe(httpsAddr);
    expect(await client.leader()).toBeDefined();
    const key = `${uniquePrefix('tls')}/k`;
    expect(await client.kv.put(key, 'over tls')).toBe(true);
    expect((await client.kv.get(key)).value?.value.toString()).toBe('over tls');
  });

  it('refuses the agent without the CA (certificate not trusted), as unreachable with the TLS cause', async () => {
    const { httpsAddr } = https.get();
    const client = ConsulClient.fromEnv({}, { CONSUL_HTTP_ADDR: httpsAddr });
    const error = await client.leader().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsulUnreachableError);
    expect(String((error as { cause?: { cause?: unknown } }).cause?.cause)).toMatch(/certificate/i);
  });

  it('CONSUL_HTTP_SSL=true turns a bare host:port into https', async () => {
    const { httpsAddr, certs } = https.get();
    const caFile = certs.caFile;
    const bare = httpsAddr.replace('https://', '');
    const client = ConsulClient.fromEnv(
      {},
      { CONSUL_HTTP_ADDR: bare, CONSUL_HTTP_SSL: 'true', CONSUL_CACERT: caFile },
    );
    expect(client.address).toBe(httpsAddr);
    expect(await client.leader()).toBeDefined();
  });
});
