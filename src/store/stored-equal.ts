/**
 * Whether two values are equal as stored JSON: deep comparison that ignores the order of object keys (a
 * document decoded from Consul and one built in code list their fields in different orders) and treats a
 * key whose value is `undefined` as absent, as `JSON.stringify` does. Writers compare with it before
 * writing, so an unchanged record or status is never rewritten (each write would wake its own watch).
 */
export function storedEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item: unknown, i) => storedEqual(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keysA = definedKeys(a);
  const keysB = definedKeys(b);
  return keysA.length === keysB.length && keysA.every((key) => key in b && storedEqual(a[key], b[key]));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function definedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}
