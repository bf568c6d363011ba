import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConsulConfig, type ConsulConfigOverrides } from '../../src/consul/config.js';
import { ConfigError } from '../../src/errors.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n';

const dir = mkdtempSync(join(tmpdir(), 'baton-config-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const cert = file('cert.pem', CERT);
const key = file('key.pem', KEY);
const notPem = file('notes.txt', 'hello');
const empty = file('empty-token', '  \n');
const tokenFile = file('token', ' s3cret-from-file \n');
const missing = join(dir, 'missing.pem');
const caDir = join(dir, 'ca');
mkdirSync(join(caDir, 'nested'), { recursive: true });
writeFileSync(join(caDir, 'a.pem'), CERT.replace('MIIB', 'AAAA'));
writeFileSync(join(caDir, 'nested', 'b.crt'), CERT.replace('MIIB', 'BBBB'));
const badCaDir = join(dir, 'bad-ca');
mkdirSync(badCaDir);
writeFileSync(join(badCaDir, 'readme'), 'not a certificate');

function configError(env: NodeJS.ProcessEnv, overrides: ConsulConfigOverrides = {}): ConfigError {
  try {
    resolveConsulConfig(overrides, env);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
}

describe('resolveConsulConfig: every problem is a one-line ConfigError naming the setting', () => {
  const cases: readonly [string, NodeJS.ProcessEnv, ConsulConfigOverrides, RegExp][] = [
    ['bad CONSUL_HTTP_SSL', { CONSUL_HTTP_SSL: 'yes' }, {}, /^CONSUL_HTTP_SSL="yes" is not a boolean/],
    ['bad CONSUL_HTTP_SSL_VERIFY', { CONSUL_HTTP_SSL_VERIFY: 'no' }, {}, /^CONSUL_HTTP_SSL_VERIFY="no"/],
    ['cert without key', { CONSUL_CLIENT_CERT: cert }, {}, /CONSUL_CLIENT_CERT is set but CONSUL_CLIENT_KEY/],
    ['key without cert', { CONSUL_CLIENT_KEY: key }, {}, /CONSUL_CLIENT_KEY is set but CONSUL_CLIENT_CERT/],
    [
      'unreadable client cert',
      { CONSUL_CLIENT_CERT: missing, CONSUL_CLIENT_KEY: key },
      {},
      /CONSUL_CLIENT_CERT=.*ENOENT/,
    ],
    [
      'client cert not PEM',
      { CONSUL_CLIENT_CERT: notPem, CONSUL_CLIENT_KEY: key },
      {},
      /CONSUL_CLIENT_CERT=.*no PEM/,
    ],
    [
      'client key not a key',
      { CONSUL_CLIENT_CERT: cert, CONSUL_CLIENT_KEY: cert },
      {},
      /CONSUL_CLIENT_KEY=.*private key/,
    ],
    ['unreadable CA file', { CONSUL_CACERT: missing }, {}, /CONSUL_CACERT=.*ENOENT/],
    ['CA file not PEM', { CONSUL_CACERT: notPem }, {}, /CONSUL_CACERT=.*no PEM certificate/],
    ['missing CA path', { CONSUL_CAPATH: missing }, {}, /CONSUL_CAPATH.*ENOENT/],
    ['CA path is a file', { CONSUL_CAPATH: cert }, {}, /CONSUL_CAPATH=.*not a directory/],
    ['CA path with a non-PEM file', { CONSUL_CAPATH: badCaDir }, {}, /CONSUL_CAPATH file=.*readme/],
    ['missing token file', { CONSUL_HTTP_TOKEN_FILE: missing }, {}, /CONSUL_HTTP_TOKEN_FILE=.*ENOENT/],
    ['empty token file', { CONSUL_HTTP_TOKEN_FILE: empty }, {}, /CONSUL_HTTP_TOKEN_FILE=.* is empty/],
    ['missing --token-file', {}, { tokenFile: missing }, /^cannot read --token-file=.*ENOENT/],
    ['--token and --token-file', {}, { token: 't', tokenFile }, /--token and --token-file are both given/],
    [
      'relative unix socket',
      { CONSUL_HTTP_ADDR: 'unix://consul.sock' },
      {},
      /^CONSUL_HTTP_ADDR=.*absolute path/,
    ],
    ['unknown scheme', { CONSUL_HTTP_ADDR: 'ftp://h:1' }, {}, /^CONSUL_HTTP_ADDR=.*unknown scheme ftp/],
    ['path prefix', { CONSUL_HTTP_ADDR: 'https://h:1/consul' }, {}, /^CONSUL_HTTP_ADDR=.*a path/],
    ['bad --consul', {}, { address: 'h:port' }, /^--consul="h:port" is not host:port/],
  ];
  it.each(cases)('%s', (_label, env, overrides, message) => {
    const error = configError(env, overrides);
    expect(error.code).toBe('BATON_CONFIG');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });
});

describe('resolveConsulConfig: the consul CLI semantics', () => {
  it('defaults to http://127.0.0.1:8500 with nothing set, and treats empty variables as unset', () => {
    expect(resolveConsulConfig({}, {})).toEqual({ baseUrl: 'http://127.0.0.1:8500' });
    expect(resolveConsulConfig({}, { CONSUL_HTTP_ADDR: '', CONSUL_HTTP_SSL: '', CONSUL_CACERT: '' })).toEqual(
      {
        baseUrl: 'http://127.0.0.1:8500',
      },
    );
  });

  it.each([
    [{ CONSUL_HTTP_ADDR: 'h:8501', CONSUL_HTTP_SSL: 'true' }, 'https://h:8501'],
    [{ CONSUL_HTTP_ADDR: 'h:8501', CONSUL_HTTP_SSL: 'F' }, 'http://h:8501'],
    [{ CONSUL_HTTP_ADDR: 'https://h:8501', CONSUL_HTTP_SSL: '0' }, 'https://h:8501'],
    // "Never revert to http if TLS was explicitly requested" (Consul's api.NewClient).
    [{ CONSUL_HTTP_ADDR: 'http://h:8501', CONSUL_HTTP_SSL: '1' }, 'https://h:8501'],
    [{ CONSUL_HTTP_ADDR: 'HTTPS://h:8501/' }, 'https://h:8501'],
  ])('address %j -> %s', (env, baseUrl) => {
    expect(resolveConsulConfig({}, env).baseUrl).toBe(baseUrl);
  });

  it('token: --token, then --token-file, then CONSUL_HTTP_TOKEN_FILE over CONSUL_HTTP_TOKEN', () => {
    const env = { CONSUL_HTTP_TOKEN: 'from-env', CONSUL_HTTP_TOKEN_FILE: tokenFile };
    expect(resolveConsulConfig({ token: 'flag' }, env).token).toBe('flag');
    expect(resolveConsulConfig({ tokenFile: file('t2', 'flag-file\n') }, env).token).toBe('flag-file');
    expect(resolveConsulConfig({}, env).token).toBe('s3cret-from-file');
    expect(resolveConsulConfig({}, { CONSUL_HTTP_TOKEN: 'from-env' }).token).toBe('from-env');
  });

  it('TLS: client pair, server name without its port, verification off, CA file over CA path', () => {
    const config = resolveConsulConfig(
      {},
      {
        CONSUL_CLIENT_CERT: cert,
        CONSUL_CLIENT_KEY: key,
        CONSUL_TLS_SERVER_NAME: 'server.dc1.consul:8501',
        CONSUL_HTTP_SSL_VERIFY: 'false',
        CONSUL_CACERT: cert,
        CONSUL_CAPATH: badCaDir,
      },
    );
    expect(config.tls).toEqual({
      certPem: CERT,
      keyPem: KEY,
      serverName: 'server.dc1.consul',
      verify: false,
    });
    expect(config.caCertPem).toBe(CERT);
    expect(resolveConsulConfig({}, { CONSUL_TLS_SERVER_NAME: '[::1]:8501' }).tls?.serverName).toBe('::1');
    expect(resolveConsulConfig({}, { CONSUL_HTTP_SSL_VERIFY: 'true' }).tls).toBeUndefined();
  });

  it('CONSUL_CAPATH: every file under the directory, nested ones included, as one bundle', () => {
    const bundle = resolveConsulConfig({}, { CONSUL_CAPATH: caDir }).caCertPem ?? '';
    expect(bundle).toContain('AAAA');
    expect(bundle).toContain('BBBB');
  });

  it('unix:///path: requests go through the socket', () => {
    const config = resolveConsulConfig({}, { CONSUL_HTTP_ADDR: 'unix:///run/consul/http.sock' });
    expect(config).toMatchObject({ baseUrl: 'http://localhost', socketPath: '/run/consul/http.sock' });
  });

  it('CONSUL_HTTP_AUTH: user:password as is, a user alone gets an empty password', () => {
    expect(resolveConsulConfig({}, { CONSUL_HTTP_AUTH: 'ops:p:w' }).basicAuth).toBe('ops:p:w');
    expect(resolveConsulConfig({}, { CONSUL_HTTP_AUTH: 'ops' }).basicAuth).toBe('ops:');
  });
});
