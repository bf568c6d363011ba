import type { Resource } from '../history.js';
import type { FencedStore } from './fenced-store.js';
import type { HistoryFiles } from './history-files.js';
import type { Topology } from './topology.js';

/** What every part of a campaign shares. */
export interface CampaignContext {
  readonly topology: Topology;
  readonly history: HistoryFiles;
  readonly store: FencedStore;
  readonly seed: number;
  /** Put in every started process's environment, to find (and reap) them all, orphans included. */
  readonly runTag: string;
  readonly cli: string;
}

/** The env var carrying `runTag`. */
export const RUN_TAG_VAR = 'CHAOS_RUN';

/** A role's resource, if it acts exclusively. */
export type MaybeResource = Resource | undefined;

/** Monotonic ms at a wall-clock epoch ms (pino's `time`), from this process's offset between the two. */
export function monotonicAtEpoch(epochMs: number, nowMonotonicMs: number): number {
  return epochMs - (Date.now() - nowMonotonicMs);
}

/** A small stable hash of a name, to derive one PRNG stream per role from the campaign seed. */
export function hashName(name: string): number {
  let hash = 2166136261;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
  return hash >>> 0;
}
