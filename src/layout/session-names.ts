/**
 * How a singleton candidate names its session, so the controller and other candidates recognise it in
 * Consul's session list (sessions are not under any KV root, so the name carries the lock key: two
 * installations with the same singleton name never count each other's candidates).
 */
export function candidateSessionName(lockKey: string, identity: string): string {
  return `baton singleton ${lockKey} (${identity})`;
}

const CANDIDATE = /^baton singleton (\S+) \((.*)\)$/s;

/** The lock key and identity a candidate session name carries, or undefined for any other session. */
export function parseCandidateSessionName(
  name: string,
): { readonly lockKey: string; readonly identity: string } | undefined {
  const match = CANDIDATE.exec(name);
  const [, lockKey, identity] = match ?? [];
  return lockKey === undefined || identity === undefined ? undefined : { lockKey, identity };
}
