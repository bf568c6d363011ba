import { CellKind, type KindDefinition } from '../api/kinds.js';
import { DEFAULT_ROOT } from './root.js';
import { SHARDS, shardOf } from './shards.js';

export type RecordPart = 'spec' | 'status';

/**
 * Kinds with one record per cell (thousands): their records are filed under the cell's shard, so a watch
 * of one shard reads a sixteenth of them. Kinds an operator writes by hand (a few singletons) are not.
 */
const SHARDED_KINDS: ReadonlySet<string> = new Set([CellKind.kind]);

/**
 * The KV key layout of one kind: `<root>/<kind-plural>/<name>/{spec,status}`, or for a sharded kind
 * (`Cell`) `<root>/<kind-plural>/<shard>/<name>/{spec,status}` with the shard of the name (the same shard
 * as the cell's presence keys). Spec and status are separate keys (status is a subresource); a singleton's
 * step-down request lives beside them.
 */
export class RecordKeys {
  /** `<root>/<plural>/`: every record of the kind (a recursive listing of it reads them all). */
  readonly prefix: string;
  /** Whether the kind's records are filed under shards. */
  readonly sharded: boolean;
  /**
   * What a watch of the kind lists, one blocking query each: the prefix itself, or one per shard. Together
   * they cover every record key, and each record key lies under exactly one.
   */
  readonly watchPrefixes: readonly string[];

  constructor(kind: KindDefinition, root: string = DEFAULT_ROOT) {
    this.prefix = `${root.replace(/\/+$/, '')}/${kind.plural}/`;
    this.sharded = SHARDED_KINDS.has(kind.kind);
    this.watchPrefixes = this.sharded ? SHARDS.map((shard) => `${this.prefix}${shard}/`) : [this.prefix];
  }

  /** `<prefix>[<shard>/]<name>/`: everything stored for one record. */
  recordPrefix(name: string): string {
    return `${this.prefix}${this.sharded ? `${shardOf(name)}/` : ''}${name}/`;
  }

  spec(name: string): string {
    return `${this.recordPrefix(name)}spec`;
  }

  status(name: string): string {
    return `${this.recordPrefix(name)}status`;
  }

  /** A one-off request to a singleton's holder to hand over (`baton step-down`). */
  stepDown(name: string): string {
    return `${this.recordPrefix(name)}step-down`;
  }

  /** The record a key belongs to (spec, status or any other key under the record), or undefined. */
  nameOf(key: string): string | undefined {
    const rest = this.#segments(key);
    const name = rest?.[0];
    return name === undefined || name === '' ? undefined : name;
  }

  /** The record name and part a key belongs to, or `undefined` for a key outside the layout. */
  parse(key: string): { readonly name: string; readonly part: RecordPart } | undefined {
    const rest = this.#segments(key);
    if (rest?.length !== 2) return undefined;
    const [name, part] = rest;
    if (name === undefined || name === '') return undefined;
    return part === 'spec' || part === 'status' ? { name, part } : undefined;
  }

  /**
   * A key's segments after the prefix and (for a sharded kind) after its shard, which must be the shard of
   * the name that follows; undefined for a key outside the layout.
   */
  #segments(key: string): string[] | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const rest = key.slice(this.prefix.length).split('/');
    if (!this.sharded) return rest;
    const [shard, name] = rest;
    return name === undefined || shardOf(name) !== shard ? undefined : rest.slice(1);
  }
}
