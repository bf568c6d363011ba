import { diffSnapshots, type KvChange } from '../cache/diff-snapshots.js';
import type { KvEntry } from '../consul/wire.js';

/**
 * The live cells' presence keys, kept per shard from the watcher's snapshots, in the shape of a prefix
 * informer (`snapshot`, `onChange`): a controller revisits every cell from it without a second watch of
 * every shard. Handlers hear which keys changed each time a shard's snapshot is taken in.
 */
export class ShardedCellKeys {
  readonly #shards = new Map<string, ReadonlyMap<string, KvEntry>>();
  readonly #handlers = new Set<(changes: readonly KvChange[]) => void>();
  readonly #onHandlerError: (error: unknown) => void;

  constructor(onHandlerError: (error: unknown) => void) {
    this.#onHandlerError = onHandlerError;
  }

  /** Every live cell's key, across shards (a new map on each call). */
  snapshot(): ReadonlyMap<string, KvEntry> {
    const all = new Map<string, KvEntry>();
    for (const shard of this.#shards.values()) for (const [key, entry] of shard) all.set(key, entry);
    return all;
  }

  /** One cell's presence key as last taken in, or undefined when the cell is not live. */
  get(key: string): KvEntry | undefined {
    for (const shard of this.#shards.values()) {
      const entry = shard.get(key);
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  /** Register a handler; returns a function that unregisters it. */
  onChange(handler: (changes: readonly KvChange[]) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Take in one shard's cell keys (the whole shard, as listed). */
  update(shard: string, entries: readonly KvEntry[]): void {
    const next = new Map(entries.map((entry) => [entry.key, entry]));
    const changes = diffSnapshots(this.#shards.get(shard) ?? new Map(), next);
    this.#shards.set(shard, next);
    if (changes.length === 0) return;
    for (const handler of this.#handlers) {
      try {
        handler(changes);
      } catch (error: unknown) {
        this.#onHandlerError(error);
      }
    }
  }
}
