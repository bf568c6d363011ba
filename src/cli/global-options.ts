import type { Command } from 'commander';
import { ConsulClient } from '../consul/client.js';
import { resolveConsulConfig, type ConsulConfig } from '../consul/config.js';
import { KvLayout } from '../layout/kv-layout.js';
import { resolveRoot } from '../layout/root.js';

export interface GlobalOptions {
  readonly consul?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly root?: string;
}

/** The Consul client for a command, from `--consul`/`--token`/`--token-file` or Consul's environment. */
export function consulFromCommand(command: Command): ConsulClient {
  return new ConsulClient(consulConfigFromCommand(command));
}

/** The resolved Consul settings of a command (whether a token is given, for one). */
export function consulConfigFromCommand(command: Command): ConsulConfig {
  const options = command.optsWithGlobals<GlobalOptions>();
  return resolveConsulConfig({
    ...(options.consul === undefined ? {} : { address: options.consul }),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.tokenFile === undefined ? {} : { tokenFile: options.tokenFile }),
  });
}

/** The installation's key map for a command, from `--root` or `BATON_ROOT` (default `baton/v1`). */
export function layoutFromCommand(command: Command): KvLayout {
  return new KvLayout(resolveRoot(command.optsWithGlobals<GlobalOptions>().root));
}
