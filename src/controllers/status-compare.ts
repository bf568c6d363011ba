import { storedEqual } from '../store/stored-equal.js';

/**
 * Whether two statuses differ as stored JSON (key order ignored, `undefined` = absent; see `storedEqual`).
 * Writing only on a difference keeps the reconcilers from rewriting an unchanged status on every resync.
 */
export function statusChanged(a: unknown, b: unknown): boolean {
  return !storedEqual(a, b);
}
