import { ConfigError } from '../errors.js';
import { parseAddress } from './config-address.js';
import {
  readCertificateDirectory,
  readCertificateFile,
  readPrivateKeyFile,
  readTokenFile,
} from './config-files.js';

/** How to reach Consul. Resolved from Consul's own environment variables unless given explicitly. */
export interface ConsulConfig {
  /** Base URL, e.g. `http://127.0.0.1:8500`. */
  readonly baseUrl: string;
  /** For `unix:///path`: the agent's socket (the base URL is then `http://localhost`). */
  readonly socketPath?: string;
  /** ACL token sent as `X-Consul-Token`. */
  readonly token?: string;
  /** PEM bundle trusted for an `https://` address (replaces the system roots, as in Consul's client). */
  readonly caCertPem?: string;
  /** TLS client settings beyond the CA (client certificate, server name, verification). */
  readonly tls?: ConsulTlsOptions;
  /** HTTP basic auth `user:password` (`CONSUL_HTTP_AUTH`), sent as an `Authorization` header. */
  readonly basicAuth?: string;
  /**
   * Ask Consul for gzip-compressed answers. Off by default: Baton talks to its local agent, where gzip
   * saves no time and costs CPU on both ends (a presence shard of 10,000 cells is about 1 MB of JSON per
   * change, compressed by the agent and inflated by Node each time). Turn it on for an agent across a slow
   * link. @default false
   */
  readonly compressResponses?: boolean;
}

/** TLS settings for an `https://` Consul address, in Node's `tls.connect` terms. */
export interface ConsulTlsOptions {
  /** Client certificate (PEM) for an agent with `verify_incoming`. */
  readonly certPem?: string;
  /** Client private key (PEM). */
  readonly keyPem?: string;
  /** SNI and the name checked against the server certificate (`CONSUL_TLS_SERVER_NAME`). */
  readonly serverName?: string;
  /** `false` skips certificate verification (`CONSUL_HTTP_SSL_VERIFY=false`). @default true */
  readonly verify?: boolean;
}

export interface ConsulConfigOverrides {
  /** `host:port` or a URL (`--consul`); wins over `CONSUL_HTTP_ADDR`. */
  readonly address?: string;
  /** ACL token (`--token`); wins over every other token source. */
  readonly token?: string;
  /** A file holding the token (`--token-file`, so it never shows in `ps`); wins over the environment. */
  readonly tokenFile?: string;
}

const DEFAULT_ADDRESS = '127.0.0.1:8500';

/**
 * Resolve the client settings the `consul` CLI reads (its `api.DefaultConfig`): `CONSUL_HTTP_ADDR`,
 * `CONSUL_HTTP_SSL`, `CONSUL_HTTP_SSL_VERIFY`, `CONSUL_CACERT`, `CONSUL_CAPATH`, `CONSUL_CLIENT_CERT`,
 * `CONSUL_CLIENT_KEY`, `CONSUL_TLS_SERVER_NAME`, `CONSUL_HTTP_AUTH`, `CONSUL_HTTP_TOKEN` and
 * `CONSUL_HTTP_TOKEN_FILE`; an empty variable counts as unset. Where Consul only warns (a bad boolean, a
 * cert without its key at first use) this throws a one-line `ConfigError` naming the setting.
 */
export function resolveConsulConfig(
  overrides: ConsulConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): ConsulConfig {
  const read = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const ssl = parseBoolean('CONSUL_HTTP_SSL', read('CONSUL_HTTP_SSL')) ?? false;
  const address =
    overrides.address === undefined
      ? parseAddress('CONSUL_HTTP_ADDR', read('CONSUL_HTTP_ADDR') ?? DEFAULT_ADDRESS, ssl)
      : parseAddress('--consul', overrides.address, ssl);
  const token = resolveToken(overrides, read);
  const caCertPem = resolveCa(read);
  const tls = resolveTls(read);
  const auth = read('CONSUL_HTTP_AUTH');
  return {
    ...address,
    ...(token === undefined ? {} : { token }),
    ...(caCertPem === undefined ? {} : { caCertPem }),
    ...(Object.keys(tls).length === 0 ? {} : { tls }),
    // Consul reads `user` alone as a user with an empty password.
    ...(auth === undefined ? {} : { basicAuth: auth.includes(':') ? auth : `${auth}:` }),
  };
}

type Read = (name: string) => string | undefined;

/** `--token`, then `--token-file`; from the environment a token file wins over a token, as in Consul. */
function resolveToken(overrides: ConsulConfigOverrides, read: Read): string | undefined {
  if (overrides.token !== undefined && overrides.tokenFile !== undefined) {
    throw new ConfigError('--token and --token-file are both given: keep one (prefer --token-file)');
  }
  if (overrides.token !== undefined) return overrides.token === '' ? undefined : overrides.token;
  if (overrides.tokenFile !== undefined) return readTokenFile('--token-file', overrides.tokenFile);
  const file = read('CONSUL_HTTP_TOKEN_FILE');
  return file === undefined ? read('CONSUL_HTTP_TOKEN') : readTokenFile('CONSUL_HTTP_TOKEN_FILE', file);
}

/** `CONSUL_CACERT` wins over `CONSUL_CAPATH`, as in Consul's go-rootcerts. */
function resolveCa(read: Read): string | undefined {
  const file = read('CONSUL_CACERT');
  if (file !== undefined) return readCertificateFile('CONSUL_CACERT', file);
  const dir = read('CONSUL_CAPATH');
  return dir === undefined ? undefined : readCertificateDirectory('CONSUL_CAPATH', dir);
}

function resolveTls(read: Read): ConsulTlsOptions {
  const certFile = read('CONSUL_CLIENT_CERT');
  const keyFile = read('CONSUL_CLIENT_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const [set, unset] = certFile === undefined ? ['KEY', 'CERT'] : ['CERT', 'KEY'];
    throw new ConfigError(
      `CONSUL_CLIENT_${set} is set but CONSUL_CLIENT_${unset} is not: set both or neither`,
    );
  }
  const serverName = read('CONSUL_TLS_SERVER_NAME');
  const verify = parseBoolean('CONSUL_HTTP_SSL_VERIFY', read('CONSUL_HTTP_SSL_VERIFY'));
  return {
    ...(certFile === undefined ? {} : { certPem: readCertificateFile('CONSUL_CLIENT_CERT', certFile) }),
    ...(keyFile === undefined ? {} : { keyPem: readPrivateKeyFile('CONSUL_CLIENT_KEY', keyFile) }),
    ...(serverName === undefined ? {} : { serverName: stripPort(serverName) }),
    ...(verify === false ? { verify } : {}),
  };
}

/** The spellings Go's `strconv.ParseBool` accepts; anything else is an error (Consul would only warn). */
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

function parseBoolean(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new ConfigError(`${name}="${value}" is not a boolean: use true or false`);
}

/** Consul takes `CONSUL_TLS_SERVER_NAME` as an address and drops a port (`server.dc1.consul:8501`). */
function stripPort(name: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(name);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  return /^[^:]+:\d+$/.test(name) ? name.slice(0, name.lastIndexOf(':')) : name;
}
