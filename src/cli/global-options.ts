import type { Command } from 'commander';
import { ConsulClient } from '../consul/client.js';

export interface GlobalOptions {
  readonly consul?: string;
  readonly token?: string;
}

/** The Consul client for a command, from `--consul`/`--token` or Consul's environment variables. */
export function consulFromCommand(command: Command): ConsulClient {
  const options = command.optsWithGlobals<GlobalOptions>();
  return ConsulClient.fromEnv({
    ...(options.consul === undefined ? {} : { address: options.consul }),
    ...(options.token === undefined ? {} : { token: options.token }),
  });
}
