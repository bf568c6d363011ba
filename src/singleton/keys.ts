/** Where lock keys live. One prefix for singletons and exclusive operations, so operators see all locks. */
export const LOCK_PREFIX = 'baton/v1/locks/';

const NAME = /^[a-z0-9]([a-z0-9._-]{0,126}[a-z0-9])?$/;

/** Validate a singleton or resource name (it becomes a KV path segment). */
export function assertLockName(name: string): void {
  if (!NAME.test(name)) {
    throw new RangeError(
      `lock name "${name}" must be 1-128 lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit`,
    );
  }
}

export function lockKey(name: string, prefix = LOCK_PREFIX): string {
  assertLockName(name);
  return `${prefix}${name}`;
}
