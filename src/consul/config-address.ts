import { ConfigError } from '../errors.js';

/**
 * `host:port` or `http(s)://host:port`. As in Consul, `CONSUL_HTTP_SSL=true` makes a bare address https
 * and never reverts an explicit request for TLS: it also upgrades `http://`.
 */
export function toBaseUrl(source: string, address: string, ssl: boolean): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(address)?.[1]?.toLowerCase();
  if (scheme === 'unix') {
    throw new ConfigError(
      `${source}="${address}": unix sockets are not supported, use the agent's TCP address`,
    );
  }
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    throw new ConfigError(`${source}="${address}": unknown scheme ${scheme}://, use http:// or https://`);
  }
  const rest = scheme === undefined ? address : address.slice(scheme.length + 3);
  const https = scheme === 'https' || ssl;
  let url: URL;
  try {
    url = new URL(`${https ? 'https' : 'http'}://${rest}`);
  } catch (cause) {
    throw new ConfigError(`${source}="${address}" is not host:port or a URL`, { cause });
  }
  if (url.pathname !== '/' || url.search !== '' || url.username !== '') {
    const hint = 'give scheme://host:port only (credentials go in CONSUL_HTTP_AUTH)';
    throw new ConfigError(`${source}="${address}": a path, query or user part is not supported: ${hint}`);
  }
  return `${url.protocol}//${url.host}`;
}
