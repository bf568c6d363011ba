import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import { ConsulHttpError } from '../../src/consul/errors.js';
import { useAclDevAgent } from '../support/acl-agent.js';
import { builtCli } from '../support/cli.js';
import { runBaton } from '../support/cli-run.js';
import { useHttpsAgent } from '../support/mtls-agent.js';

/** The built CLI against a production-like Consul: mTLS, ACLs with the token in a file, basic auth. */
const mtls = useHttpsAgent();
const acl = useAclDevAgent();
const dir = mkdtempSync(join(tmpdir(), 'baton-connection-'));

beforeAll(builtCli);

/** Run `baton lock` with a command that records every process's argv while the lock is held. */
function lockArgs(resource: string, psFile: string): string[] {
  return ['lock', '--try', resource, '--', 'sh', '-c', `ps -eo args > ${psFile}`];
}

describe('the CLI over mTLS (verify_incoming = true), configured by the consul CLI variables', () => {
  it('baton get singletons and baton lock --try work with the client pair', async () => {
    const { env } = mtls.get();
    const get = await runBaton(['get', 'singletons'], env);
    expect(get.stderr).not.toContain('baton:');
    expect(get.status).toBe(0);
    const lock = await runBaton(['lock', '--try', `mtls-${randomUUID().slice(0, 8)}`, '--', 'true'], env);
    expect(lock.stderr).toBe('');
    expect(lock.status).toBe(0);
  });

  it('without the client pair: exit 4 (unreachable), one line', async () => {
    const { CONSUL_CLIENT_CERT: _c, CONSUL_CLIENT_KEY: _k, ...env } = mtls.get().env;
    const get = await runBaton(['get', 'singletons'], env);
    expect(get.status).toBe(4);
    expect(get.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a client certificate without its key: exit 2, one line naming the variable', async () => {
    const { CONSUL_CLIENT_KEY: _k, ...env } = mtls.get().env;
    const get = await runBaton(['get', 'singletons'], env);
    expect(get.status).toBe(2);
    expect(get.stderr).toMatch(/^baton: CONSUL_CLIENT_CERT is set but CONSUL_CLIENT_KEY is not.*\n$/);
  });
});

describe('--token-file: the ACL token never shows in ps', () => {
  const tokenFile = join(dir, 'token');
  // Not the initial management token: that one is in the agent's own argv (-hcl), which ps shows too.
  let token = '';
  beforeAll(async () => {
    token = (await acl.get().client.acl.createToken({ policies: ['global-management'] })).secretId;
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  });

  it('locks with the token read from the file; no process argv holds the token', async () => {
    const { agent } = acl.get();
    const psFile = join(dir, 'ps-with-file.txt');
    const resource = `acl-${randomUUID().slice(0, 8)}`;
    const run = await runBaton(['--token-file', tokenFile, ...lockArgs(resource, psFile)], {
      CONSUL_HTTP_ADDR: agent.httpAddr,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const processes = readFileSync(psFile, 'utf8');
    expect(processes).toContain(`--token-file ${tokenFile}`);
    expect(processes).not.toContain(token);
    // The check sees a token given as --token: what --token-file avoids.
    const shown = join(dir, 'ps-with-flag.txt');
    const flagged = await runBaton(['--token', token, ...lockArgs(`${resource}-flag`, shown)], {
      CONSUL_HTTP_ADDR: agent.httpAddr,
    });
    expect(flagged.status).toBe(0);
    expect(readFileSync(shown, 'utf8')).toContain(token);
  });

  it('without a token the default-deny agent refuses (exit 5): the file is what grants access', async () => {
    const run = await runBaton(lockArgs(`acl-${randomUUID().slice(0, 8)}`, join(dir, 'ps-none.txt')), {
      CONSUL_HTTP_ADDR: acl.get().agent.httpAddr,
    });
    expect(run.status).toBe(5);
  });

  it('a missing token file: exit 2 with one line naming the flag', async () => {
    const missing = join(dir, 'no-such-token');
    const run = await runBaton(['--token-file', missing, 'get', 'singletons'], {
      CONSUL_HTTP_ADDR: acl.get().agent.httpAddr,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `baton: cannot read --token-file=${missing} (ENOENT): ` +
        'point it at a readable file holding the ACL token\n',
    );
  });
});

/**
 * Consul ignores basic auth; operators put it in a reverse proxy in front of the agent. This one demands
 * `Authorization: Basic` and forwards everything else to the real agent.
 */
function basicAuthProxy(target: URL, user: string, password: string): Promise<Server> {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const server = createServer((incoming, answer) => {
    if (incoming.headers.authorization !== expected) {
      answer.writeHead(401, { 'www-authenticate': 'Basic realm="consul"' }).end('401 Unauthorized\n');
      return;
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (response) => {
        answer.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(answer);
      },
    );
    upstream.on('error', () => answer.destroy());
    incoming.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('CONSUL_HTTP_AUTH: basic auth for a proxy in front of the agent', () => {
  let proxy: Server | undefined;
  afterAll(() => proxy?.close());

  async function proxyEnv(): Promise<Record<string, string>> {
    proxy ??= await basicAuthProxy(new URL(acl.get().agent.httpAddr), 'ops', 'pa:ss');
    const address = proxy.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    const tokenFile = join(dir, 'proxy-token');
    writeFileSync(tokenFile, acl.get().managementToken);
    return { CONSUL_HTTP_ADDR: `127.0.0.1:${address.port}`, CONSUL_HTTP_TOKEN_FILE: tokenFile };
  }

  it('the library passes with the variable and gets a 401 error without it', async () => {
    const env = await proxyEnv();
    expect(await ConsulClient.fromEnv({}, { ...env, CONSUL_HTTP_AUTH: 'ops:pa:ss' }).leader()).toBeDefined();
    const refused = await ConsulClient.fromEnv({}, env)
      .leader()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConsulHttpError);
    expect((refused as ConsulHttpError).status).toBe(401);
  });

  it('the CLI passes with the variable; without it, one line saying the proxy answered 401', async () => {
    const env = await proxyEnv();
    const passed = await runBaton(['get', 'singletons'], { ...env, CONSUL_HTTP_AUTH: 'ops:pa:ss' });
    expect(passed.stderr).not.toContain('baton:');
    expect(passed.status).toBe(0);
    const refused = await runBaton(['get', 'singletons'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^baton: Consul answered 401 to \/v1\/kv\/.*\n$/);
  });
});
