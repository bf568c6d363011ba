import type { Command } from 'commander';
import type { ConsulClient } from '../consul/client.js';
import { ConsulPermissionError } from '../consul/errors.js';
import type { Indexed } from '../consul/kv.js';
import { CONTROLLER_SINGLETON } from '../controllers/controller-daemon.js';
import type { KvLayout } from '../layout/kv-layout.js';
import { consulConfigFromCommand } from './global-options.js';

/**
 * kubectl-style `Warning:` lines on stderr about how far `get` can be trusted: no active controller (so
 * status may be stale), or an empty answer that Consul's ACLs may have hidden.
 */
export async function warnIfNoController(client: ConsulClient, layout: KvLayout): Promise<void> {
  const key = layout.locks.singleton(CONTROLLER_SINGLETON);
  let held: boolean;
  try {
    held = (await client.kv.get(key, { consistency: 'consistent' })).value?.session !== undefined;
  } catch (error: unknown) {
    if (error instanceof ConsulPermissionError) return; // a token that may not read locks: no opinion
    throw error;
  }
  if (!held) {
    process.stderr.write(
      `Warning: no controller is active (${key} is not held): status may be stale; ` +
        'see the live holders with: baton get locks\n',
    );
  }
}

/**
 * Why an empty listing may not be the truth: Consul answers an anonymous read it may not see with an
 * empty list (and `X-Consul-Default-Acl-Policy: deny`), not a 403. Undefined when a token was given or
 * ACLs allow by default.
 */
export function aclHiddenHint(
  listing: Pick<Indexed<unknown>, 'defaultAclPolicy'>,
  command: Command,
  prefix: string,
): string | undefined {
  if (listing.defaultAclPolicy !== 'deny' || consulConfigFromCommand(command).token !== undefined)
    return undefined;
  return (
    `nothing listed, but Consul's ACLs deny by default and no token was given, so ${prefix} may be hidden: ` +
    'pass --token-file or set CONSUL_HTTP_TOKEN'
  );
}
