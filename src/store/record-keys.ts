import type { KindDefinition } from '../api/kinds.js';

/** Where records live unless told otherwise: `baton/v1/<kind-plural>/<name>/{spec,status}`. */
export const DEFAULT_STORE_ROOT = 'baton/v1';

export type RecordPart = 'spec' | 'status';

/** The KV key layout of one kind. Spec and status are separate keys: status is a subresource. */
export class RecordKeys {
  /** `<root>/<plural>/`, the prefix a watcher of this kind lists. */
  readonly prefix: string;

  constructor(kind: KindDefinition, root: string = DEFAULT_STORE_ROOT) {
    this.prefix = `${root.replace(/\/+$/, '')}/${kind.plural}/`;
  }

  /** `<prefix><name>/`: everything stored for one record. */
  recordPrefix(name: string): string {
    return `${this.prefix}${name}/`;
  }

  spec(name: string): string {
    return `${this.prefix}${name}/spec`;
  }

  status(name: string): string {
    return `${this.prefix}${name}/status`;
  }

  /** The record name and part a key belongs to, or `undefined` for a key outside the layout. */
  parse(key: string): { readonly name: string; readonly part: RecordPart } | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const rest = key.slice(this.prefix.length).split('/');
    const [name, part] = rest;
    if (rest.length !== 2 || name === undefined || name === '') return undefined;
    return part === 'spec' || part === 'status' ? { name, part } : undefined;
  }
}
