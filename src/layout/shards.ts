/**
 * How many shards the per-cell key families are split into (presence, and the `Cell` records that mirror
 * it). Part of the key format: every cell, watcher and controller of an installation must agree on it, so it
 * is a constant, not an option. A watcher or informer holds one long poll per shard to its agent, and
 * Consul refuses more than `limits.http_max_conns_per_client` (default 200) connections from one address:
 * 16 keeps a controller (presence and Cell records: 32 polls) well inside that beside other clients on the
 * host, while a change at 10,000 cells reads about 625 cells' keys instead of all of them.
 */
export const SHARD_COUNT = 16;

/** Every shard name (`00` … `0f`). */
export const SHARDS: readonly string[] = Object.freeze(
  Array.from({ length: SHARD_COUNT }, (_, i) => i.toString(16).padStart(2, '0')),
);

/**
 * The shard of a cell id (or any sharded record's name): FNV-1a (32 bit) of its UTF-8 bytes, modulo the
 * shard count, as two hex digits. A cell's presence keys and its `Cell` record share one shard number.
 */
export function shardOf(name: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return SHARDS[hash % SHARD_COUNT] ?? '00';
}
