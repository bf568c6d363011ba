import type { ConsulClient } from '../../src/consul/client.js';
import { decodeHolder } from '../../src/singleton/holder-record.js';
import { KvLayout } from '../../src/layout/kv-layout.js';
import type { RoleToken } from './acl.js';
import { retrying } from './end-of-run.js';
import { signalEach } from './process-tree.js';
import type { Role } from './roles.js';

/** A role that sends its own token: a possible victim of `acl-revoke`. */
export type TokenRole = Role & { readonly token: RoleToken };

export function hasToken(role: Role): role is TokenRole {
  return role.token !== undefined;
}

/**
 * The identities holding the singletons `roles` act on now (each lock key's holder record), so the fault
 * can revoke a holder's token mid-term rather than a waiting candidate's. A failed read: none known.
 */
export async function singletonHolders(client: ConsulClient, roles: readonly Role[]): Promise<Set<string>> {
  const names = new Set(
    roles.flatMap((role) => {
      const resource = role.resource();
      return resource?.startsWith('singleton/') === true ? [resource.slice('singleton/'.length)] : [];
    }),
  );
  const holders = new Set<string>();
  for (const name of names) {
    try {
      const { value } = await client.kv.get(new KvLayout().locks.singleton(name));
      const holder = value?.session === undefined ? undefined : decodeHolder(value.value);
      if (holder !== undefined) holders.add(holder.identity);
    } catch {
      // Consul busy or electing a leader: pick among every victim.
    }
  }
  return holders;
}

/**
 * Delete the victim's token mid-term. Returns the heal: a fresh token for the same policy, and a restart
 * (SIGTERM; its slot starts it again) of the process still sending the deleted one. A delete that failed
 * heals at once, so a victim is never left with a token of uncertain fate.
 */
export async function revokeToken(role: TokenRole): Promise<() => Promise<void>> {
  const heal = async (): Promise<void> => {
    await retrying(() => role.token.renew());
    // Synchronous after the renew: the running process (if any) was started with the deleted token.
    const pid = role.slot.pid;
    if (pid !== undefined) signalEach([pid], 'SIGTERM');
  };
  try {
    await role.token.revoke();
  } catch (error: unknown) {
    await heal();
    throw error;
  }
  return heal;
}
