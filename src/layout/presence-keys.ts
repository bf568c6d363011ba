import { DEFAULT_ROOT } from './root.js';
import { SHARDS, shardOf } from './shards.js';

/** A key presence owns, as `classify` reads it. */
export type PresenceKeyKind =
  | { kind: 'cell'; shard: string; id: string }
  | { kind: 'departure'; shard: string; id: string; incarnation: string }
  | { kind: 'incarnation'; shard: string; id: string; incarnation: string }
  | { kind: 'known'; shard: string; id: string }
  | { kind: 'outcome'; shard: string; id: string };

/**
 * The presence key layout: `<root>/presence/<shard>/{cells,departures,incarnations,known,outcomes}/...`.
 *
 * A cell's keys all live in the shard its id hashes to. Within a shard, cells, departures and the
 * watcher's records share one prefix, so one blocking list reads them atomically (a departure is visible
 * in the same snapshot as the deletion it explains). Across shards nothing needs atomicity (every record
 * concerns one cell), so a watcher watches each shard with a blocking query of its own: a change costs a
 * read of one shard (1/16 of the cells), not of every cell, which is what keeps 10,000 cells cheap.
 */
export class PresenceKeys {
  /** `<installation root>/presence`: everything presence writes lives under it. */
  readonly root: string;
  /** Every shard name (`00` … `0f`). */
  readonly shards: readonly string[] = SHARDS;

  constructor(root: string = DEFAULT_ROOT) {
    this.root = `${root.replace(/\/+$/, '')}/presence`;
  }

  /** Everything presence writes, with its trailing slash (a listing of all shards at once). */
  get prefix(): string {
    return `${this.root}/`;
  }

  /** The shard a cell id's keys live in. */
  shardOf(id: string): string {
    return shardOf(id);
  }

  /** One shard's prefix, with its trailing slash: what a watcher lists atomically. */
  shardPrefix(shard: string): string {
    return `${this.root}/${shard}/`;
  }

  /** The presence keys of one shard (the live cells whose ids hash to it). */
  cellsPrefix(shard: string): string {
    return `${this.shardPrefix(shard)}cells/`;
  }

  /** Held by the cell's session (behavior delete): gone when the session is. */
  cell(id: string): string {
    return `${this.#of(id)}cells/${id}`;
  }

  /** Per incarnation, so a restart never overwrites a departure the watcher has not read yet. */
  departure(id: string, incarnation: string): string {
    return `${this.#of(id)}departures/${id}/${incarnation}`;
  }

  /**
   * Written with the presence key in one transaction and not session-bound: it outlives a hard death, so a
   * watcher that never saw this incarnation live still reports it ended. Deleted when that is reported.
   */
  incarnation(id: string, incarnation: string): string {
    return `${this.#of(id)}incarnations/${id}/${incarnation}`;
  }

  known(id: string): string {
    return `${this.#of(id)}known/${id}`;
  }

  /** The watcher's last terminal event per cell (Lost or Departed): durable status for the controller. */
  outcome(id: string): string {
    return `${this.#of(id)}outcomes/${id}`;
  }

  /**
   * Which record a key under the prefix is, or undefined for a key presence does not own (including a key
   * filed under a shard its id does not hash to: nothing Baton writes lands there).
   */
  classify(key: string): PresenceKeyKind | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const parts = key.slice(this.prefix.length).split('/');
    const [shard, kind, id, incarnation] = parts;
    if (shard === undefined || kind === undefined || id === undefined || id === '') return undefined;
    if (shardOf(id) !== shard) return undefined;
    if (parts.length === 3) {
      if (kind === 'cells') return { kind: 'cell', shard, id };
      if (kind === 'known') return { kind: 'known', shard, id };
      if (kind === 'outcomes') return { kind: 'outcome', shard, id };
      return undefined;
    }
    if (parts.length !== 4 || incarnation === undefined || incarnation === '') return undefined;
    if (kind === 'departures') return { kind: 'departure', shard, id, incarnation };
    if (kind === 'incarnations') return { kind: 'incarnation', shard, id, incarnation };
    return undefined;
  }

  #of(id: string): string {
    return this.shardPrefix(shardOf(id));
  }
}
