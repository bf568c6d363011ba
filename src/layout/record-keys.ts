import type { KindDefinition } from '../api/kinds.js';
import { DEFAULT_ROOT } from './root.js';

export type RecordPart = 'spec' | 'status';

/**
 * The KV key layout of one kind: `<root>/<kind-plural>/<name>/{spec,status}`. Spec and status are separate
 * keys (status is a subresource); a singleton's step-down request lives beside them.
 */
export class RecordKeys {
  /** `<root>/<plural>/`, the prefix a watcher of this kind lists. */
  readonly prefix: string;

  constructor(kind: KindDefinition, root: string = DEFAULT_ROOT) {
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

  /** A one-off request to a singleton's holder to hand over (`baton step-down`). */
  stepDown(name: string): string {
    return `${this.prefix}${name}/step-down`;
  }

  /** The record a key belongs to (spec, status or any other key under the record), or undefined. */
  nameOf(key: string): string | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const name = key.slice(this.prefix.length).split('/')[0];
    return name === undefined || name === '' ? undefined : name;
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
