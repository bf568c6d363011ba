import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { pinnedConsulVersion } from '../../dev/consul-binary.js';

export function registerVersion(program: Command): void {
  program
    .command('version')
    .description('print the Baton version and the Consul release it is built and tested against')
    .action(() => {
      process.stdout.write(
        `baton ${batonVersion()}\nconsul ${pinnedConsulVersion()} (pinned in tools/consul/go.mod)\n`,
      );
    });
}

/** Baton's version, from its package.json. */
export function batonVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
