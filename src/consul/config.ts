import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/** How to reach Consul. Resolved from Consul's own environment variables unless given explicitly. */
export interface ConsulConfig {
  /** Base URL, e.g. `http://127.0.0.1:8500`. */
  readonly baseUrl: string;
  /** ACL token sent as `X-Consul-Token`. */
  readonly token?: string;
  /** PEM bundle trusted for an `https://` address. */
  readonly caCertPem?: string;
  /** TLS client settings beyond the CA (client certificate, server name, verification). */
  readonly tls?: ConsulTlsOptions;
  /** HTTP basic auth `user:password` (`CONSUL_HTTP_AUTH`), sent as an `Authorization` header. */
  readonly basicAuth?: string;
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
  /** `host:port` or a URL; wins over `CONSUL_HTTP_ADDR`. */
  readonly address?: string;
  readonly token?: string;
  /** A file holding the token (so it never shows in `ps`); wins over the environment, not over `token`. */
  readonly tokenFile?: string;
}

const DEFAULT_ADDRESS = '127.0.0.1:8500';

/**
 * Read `CONSUL_HTTP_ADDR`, `CONSUL_HTTP_SSL`, `CONSUL_HTTP_TOKEN`, `CONSUL_HTTP_TOKEN_FILE` and
 * `CONSUL_CACERT` the way the `consul` CLI does, with explicit overrides taking precedence.
 */
export function resolveConsulConfig(
  overrides: ConsulConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): ConsulConfig {
  const address = overrides.address ?? env['CONSUL_HTTP_ADDR'] ?? DEFAULT_ADDRESS;
  const ssl = /^(1|true)$/i.test(env['CONSUL_HTTP_SSL'] ?? '');
  const baseUrl = toBaseUrl(address, ssl);
  const token =
    overrides.token ??
    readTokenFile(overrides.tokenFile) ??
    env['CONSUL_HTTP_TOKEN'] ??
    readTokenFile(env['CONSUL_HTTP_TOKEN_FILE']);
  const caPath = env['CONSUL_CACERT'];
  const caCertPem = caPath === undefined || caPath === '' ? undefined : readCaFile(caPath);
  return {
    baseUrl,
    ...(token === undefined || token === '' ? {} : { token }),
    ...(caCertPem === undefined ? {} : { caCertPem }),
  };
}

function toBaseUrl(address: string, ssl: boolean): string {
  const withScheme = /^[a-z]+:\/\//i.test(address) ? address : `${ssl ? 'https' : 'http'}://${address}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new ConfigError(
      `Consul address "${address}" is not host:port or a URL (set CONSUL_HTTP_ADDR or --consul)`,
      { cause },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`Consul address "${address}" must use http:// or https://, not ${url.protocol}`);
  }
  return `${url.protocol}//${url.host}`;
}

function readTokenFile(path: string | undefined): string | undefined {
  if (path === undefined || path === '') return undefined;
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (cause) {
    throw new ConfigError(`cannot read the token file ${path}`, { cause });
  }
}

function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read CONSUL_CACERT ${path}`, { cause });
  }
}
