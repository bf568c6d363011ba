import { CellKind, SingletonKind, type KindDefinition } from '../api/kinds.js';
import { EventKeys } from './event-keys.js';
import { LockKeys } from './lock-keys.js';
import { PresenceKeys } from './presence-keys.js';
import { RecordKeys } from './record-keys.js';
import { DEFAULT_ROOT, validateRoot } from './root.js';

/**
 * The map of everything Baton keeps in Consul KV under one installation root. Every key Baton reads or
 * writes is built and parsed here; two installations with different roots never touch each other's keys.
 *
 * ```
 * <root>/singletons/<name>/{spec,status,step-down}   records (and directives to candidates)
 * <root>/cells/<name>/{spec,status}                   records
 * <root>/locks/<singleton>                            singleton locks (held by a session)
 * <root>/locks/exclusive/<resource>                   exclusive operations' locks
 * <root>/presence/<shard>/{cells,departures,incarnations,known,outcomes}/...   presence (16 shards)
 * <root>/events/<stream>/{head,log/<seq>}             durable event streams
 * ```
 */
export class KvLayout {
  readonly root: string;
  readonly locks: LockKeys;
  readonly presence: PresenceKeys;
  readonly singletons: RecordKeys;
  readonly cells: RecordKeys;

  constructor(root: string = DEFAULT_ROOT) {
    this.root = validateRoot(root);
    this.locks = new LockKeys(this.root);
    this.presence = new PresenceKeys(this.root);
    this.singletons = new RecordKeys(SingletonKind, this.root);
    this.cells = new RecordKeys(CellKind, this.root);
  }

  records(kind: KindDefinition): RecordKeys {
    return new RecordKeys(kind, this.root);
  }

  events(stream: string): EventKeys {
    return new EventKeys(stream, this.root);
  }

  /** Everything of this installation: `<root>/`. */
  get prefix(): string {
    return `${this.root}/`;
  }
}
