import { ConfigError } from '../errors.js';

/** Where the agent listens: a base URL, and for `unix://` the socket the requests go through. */
export interface ConsulAddress {
  readonly baseUrl: string;
  readonly socketPath?: string;
}

/**
 * `host:port`, `http(s)://host:port` or `unix:///path/to/socket`. As in Consul, `CONSUL_HTTP_SSL=true` makes
 * a bare address https and never reverts an explicit request for TLS: it also upgrades `http://`.
 */
export function parseAddress(source: string, address: string, ssl: boolean): ConsulAddress {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(address)?.[1]?.toLowerCase();
  if (scheme === 'unix') {
    const socketPath = address.slice('unix://'.length);
    if (!socketPath.startsWith('/')) {
      throw new ConfigError(`${source}="${address}": a unix socket needs an absolute path (unix:///path)`);
    }
    return { baseUrl: 'http://localhost', socketPath };
  }
  return { baseUrl: toBaseUrl(source, address, scheme, ssl) };
}

function toBaseUrl(source: string, address: string, scheme: string | undefined, ssl: boolean): string {
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
