import type { Command } from 'commander';
import { pinnedConsulVersion } from '../../dev/consul-binary.js';
import { batonVersion } from '../../metrics/build-info.js';

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
