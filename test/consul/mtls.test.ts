import { createServer, connect, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import { ConsulUnreachableError } from '../../src/consul/errors.js';
import { uniquePrefix } from '../support/consul.js';
import { useHttpsAgent } from '../support/mtls-agent.js';

/** An agent with `verify_incoming = true` on HTTPS: only a client holding a certificate the CA signed gets in. */
const mtls = useHttpsAgent();

/** The innermost cause's text: undici wraps the TLS error (`fetch failed` -> the socket's error). */
function rootCause(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return String(current);
}

async function roundTrip(client: ConsulClient, label: string): Promise<void> {
  const key = `${uniquePrefix(label)}/k`;
  expect(await client.kv.put(key, `over mtls ${label}`)).toBe(true);
  expect((await client.kv.get(key)).value?.value.toString()).toBe(`over mtls ${label}`);
}

describe('mTLS: an HTTPS agent with verify_incoming = true', () => {
  it('CONSUL_CLIENT_CERT/KEY: KV round trip and a session', async () => {
    const client = ConsulClient.fromEnv({}, mtls.get().env);
    await roundTrip(client, 'mtls-pair');
    const session = await client.session.create({
      name: 'baton-mtls',
      ttlMs: 10_000,
      lockDelayMs: 0,
      nodeChecks: [],
    });
    expect((await client.session.info(session))?.id).toBe(session);
    await client.session.destroy(session);
  });

  it('without a client certificate the agent refuses: unreachable, with the TLS cause', async () => {
    const { CONSUL_CLIENT_CERT: _cert, CONSUL_CLIENT_KEY: _key, ...env } = mtls.get().env;
    const error = await ConsulClient.fromEnv({}, env)
      .leader()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsulUnreachableError);
    // TLS 1.3 finishes the handshake before the server checks the client certificate; the agent then sends
    // the `certificate required` alert and closes, and undici reports the close it sees first.
    expect(rootCause(error)).toMatch(/other side closed|certificate required/i);
  });

  it('CONSUL_CAPATH: a directory of CAs (the agent CA among others) instead of CONSUL_CACERT', async () => {
    const { CONSUL_CACERT: _ca, ...env } = mtls.get().env;
    const client = ConsulClient.fromEnv({}, { ...env, CONSUL_CAPATH: mtls.get().certs.caPath });
    await roundTrip(client, 'mtls-capath');
  });

  it('CONSUL_HTTP_SSL_VERIFY=false: no CA, the server certificate is not checked', async () => {
    const { CONSUL_CACERT: _ca, ...env } = mtls.get().env;
    const unverified = await ConsulClient.fromEnv({}, env)
      .leader()
      .catch((e: unknown) => e);
    expect(unverified).toBeInstanceOf(ConsulUnreachableError);
    const client = ConsulClient.fromEnv({}, { ...env, CONSUL_HTTP_SSL_VERIFY: 'false' });
    await roundTrip(client, 'mtls-noverify');
  });

  it('CONSUL_HTTP_SSL=true with a bare host:port', async () => {
    const { env, httpsPort } = mtls.get();
    const client = ConsulClient.fromEnv(
      {},
      { ...env, CONSUL_HTTP_ADDR: `127.0.0.1:${httpsPort}`, CONSUL_HTTP_SSL: 'true' },
    );
    expect(client.address).toBe(`https://127.0.0.1:${httpsPort}`);
    await roundTrip(client, 'mtls-ssl');
  });
});

describe('CONSUL_TLS_SERVER_NAME: reach the agent at an address its certificate does not name', () => {
  // The server certificate names server.dc1.consul, localhost and 127.0.0.1; 127.0.0.2 reaches the same
  // agent through a forwarder but is not in the certificate.
  let forwarder: Server | undefined;
  afterAll(() => forwarder?.close());

  async function unnamedAddress(): Promise<string> {
    const { httpsPort } = mtls.get();
    const server = createServer((socket) => {
      const upstream = connect(httpsPort, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    forwarder = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('forwarder has no port');
    return `https://127.0.0.2:${address.port}`;
  }

  it('fails on the address alone or with a wrong name, works with the name the certificate holds', async () => {
    const env = { ...mtls.get().env, CONSUL_HTTP_ADDR: await unnamedAddress() };
    const byAddress = await ConsulClient.fromEnv({}, env)
      .leader()
      .catch((e: unknown) => e);
    expect(byAddress).toBeInstanceOf(ConsulUnreachableError);
    expect(rootCause(byAddress)).toMatch(/IP: 127\.0\.0\.2 is not in the cert's list/);
    const wrong = await ConsulClient.fromEnv({}, { ...env, CONSUL_TLS_SERVER_NAME: 'server.dc2.consul' })
      .leader()
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ConsulUnreachableError);
    expect(rootCause(wrong)).toMatch(/Host: server\.dc2\.consul\. is not in the cert's altnames/);
    const named = ConsulClient.fromEnv({}, { ...env, CONSUL_TLS_SERVER_NAME: 'server.dc1.consul:8501' });
    await roundTrip(named, 'mtls-server-name');
  });

  it('the name wins over a host name in the address (localhost is in the certificate)', async () => {
    const { env, httpsPort } = mtls.get();
    const byHost = { ...env, CONSUL_HTTP_ADDR: `https://localhost:${httpsPort}` };
    await roundTrip(ConsulClient.fromEnv({}, byHost), 'mtls-localhost');
    const wrong = await ConsulClient.fromEnv({}, { ...byHost, CONSUL_TLS_SERVER_NAME: 'server.dc2.consul' })
      .leader()
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ConsulUnreachableError);
  });
});
