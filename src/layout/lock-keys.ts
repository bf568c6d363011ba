import { DEFAULT_ROOT } from './root.js';
import { assertResourceName, assertSingletonName } from './names.js';

/** How a person names an exclusive operation's lock: `exclusive/<resource>`. */
const EXCLUSIVE_NAME_PREFIX = 'exclusive/';

/** What a lock key belongs to. */
export type LockOwner =
  | { readonly kind: 'singleton'; readonly name: string }
  | { readonly kind: 'resource'; readonly name: string };

/**
 * Lock keys: `<root>/locks/<singleton>` and `<root>/locks/exclusive/<resource>`. One prefix for both so
 * operators see every lock in one listing; a singleton name is a DNS label, so it can never contain the
 * `/` that puts a resource under `exclusive/` (and a singleton named `exclusive` is a key of its own).
 */
export class LockKeys {
  /** `<root>/locks/`, with its trailing slash. */
  readonly prefix: string;
  readonly #resources: string;

  constructor(root: string = DEFAULT_ROOT) {
    this.prefix = `${root}/locks/`;
    this.#resources = `${this.prefix}exclusive/`;
  }

  singleton(name: string): string {
    return `${this.prefix}${assertSingletonName(name)}`;
  }

  resource(resource: string): string {
    return `${this.#resources}${assertResourceName(resource)}`;
  }

  /** The owner of a key under the prefix, or undefined for a key locks do not own. */
  parse(key: string): LockOwner | undefined {
    if (key.startsWith(this.#resources)) {
      const name = key.slice(this.#resources.length);
      return name === '' || name.includes('/') ? undefined : { kind: 'resource', name };
    }
    if (!key.startsWith(this.prefix)) return undefined;
    const name = key.slice(this.prefix.length);
    return name === '' || name.includes('/') ? undefined : { kind: 'singleton', name };
  }

  /** How a lock is named to a person: the singleton name, or `exclusive/<resource>`. */
  static display(owner: LockOwner): string {
    return owner.kind === 'singleton' ? owner.name : `${EXCLUSIVE_NAME_PREFIX}${owner.name}`;
  }

  /** The key of a lock named as `display` names it (`NAME` or `exclusive/RESOURCE`). */
  byDisplayName(name: string): string {
    return name.startsWith(EXCLUSIVE_NAME_PREFIX)
      ? this.resource(name.slice(EXCLUSIVE_NAME_PREFIX.length))
      : this.singleton(name);
  }
}
