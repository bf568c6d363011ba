/**
 * Whether two statuses differ as JSON values: deep comparison that ignores the order of object keys (a
 * status decoded from Consul and one built by a planner list their fields in different orders) and treats
 * a key whose value is `undefined` as absent, as `JSON.stringify` does. Writing only on a difference keeps
 * the reconcilers from rewriting an unchanged status on every resync.
 */
export function statusChanged(a: unknown, b: unknown): boolean {
  return !jsonEqual(a, b);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item: unknown, i) => jsonEqual(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keysA = definedKeys(a);
  const keysB = definedKeys(b);
  return keysA.length === keysB.length && keysA.every((key) => key in b && jsonEqual(a[key], b[key]));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function definedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}
