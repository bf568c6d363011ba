import type { KvEntry } from '../consul/wire.js';
import { InvalidStateError } from '../errors.js';
import { PrefixInformer, type ChangeHandler, type PrefixInformerOptions } from './prefix-informer.js';

export interface ShardedInformerOptions extends Omit<PrefixInformerOptions, 'prefix'> {
  /** Disjoint KV prefixes (e.g. `RecordKeys.watchPrefixes`), each watched with a blocking query of its own. */
  readonly prefixes: readonly string[];
}

/**
 * One cache over several disjoint prefixes (a kind's shards): one `PrefixInformer` per prefix, so a change
 * re-reads only its own shard instead of every key of the kind. Handlers hear each shard's changes as that
 * shard's snapshot is taken in. Point lookups go to the one shard a key lies under; `snapshot()` merges
 * the shards (a new map on each call: for periodic passes, not per change).
 */
export class ShardedInformer {
  readonly prefixes: readonly string[];
  readonly #shards: readonly PrefixInformer[];
  #started = false;

  constructor(options: ShardedInformerOptions) {
    const { prefixes, ...rest } = options;
    this.prefixes = prefixes;
    this.#shards = prefixes.map((prefix) => new PrefixInformer({ ...rest, prefix }));
  }

  /** True once every shard has taken in its first list. */
  get synced(): boolean {
    return this.#shards.every((shard) => shard.synced);
  }

  /** Resolve once every shard is synced; reject with `AbortedError` if the signal aborts first. */
  async waitForSync(signal: AbortSignal): Promise<void> {
    await Promise.all(this.#shards.map((shard) => shard.waitForSync(signal)));
  }

  /** Register a handler on every shard; returns a function that unregisters it. */
  onChange(handler: ChangeHandler): () => void {
    const offs = this.#shards.map((shard) => shard.onChange(handler));
    return () => {
      for (const off of offs) off();
    };
  }

  /** One key's entry as last taken in by its shard, or undefined. */
  get(key: string): KvEntry | undefined {
    return this.#shards
      .find((shard) => key.startsWith(shard.prefix))
      ?.snapshot()
      .get(key);
  }

  /** Every shard's entries, merged (a new map on each call). */
  snapshot(): ReadonlyMap<string, KvEntry> {
    const all = new Map<string, KvEntry>();
    for (const shard of this.#shards) for (const [key, entry] of shard.snapshot()) all.set(key, entry);
    return all;
  }

  /** Watch every shard until the signal aborts (see `PrefixInformer.run`). */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#started)
      throw new InvalidStateError(`informer for ${this.prefixes.join(', ')} was already started`);
    this.#started = true;
    await Promise.all(this.#shards.map((shard) => shard.run(signal)));
  }
}
