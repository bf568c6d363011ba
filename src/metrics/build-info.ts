import { readFileSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';
import { pinnedConsulVersion } from '../dev/consul-binary.js';

/** Baton's own version, from the package.json shipped beside `dist/` (and `src/` under tsx). */
export function batonVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/** `baton_build_info{version,nodejs_version,consul_version} 1`: join it to any series to see what runs. */
export function registerBuildInfo(registry: Registry): void {
  const info = new Gauge({
    name: 'baton_build_info',
    help: 'Always 1; labels name the Baton version, the Node.js version and the pinned Consul release',
    labelNames: ['version', 'nodejs_version', 'consul_version'] as const,
    registers: [registry],
  });
  info.set(
    { version: batonVersion(), nodejs_version: process.version, consul_version: pinnedConsulVersion() },
    1,
  );
}
