import { DEFAULT_ROOT } from './root.js';

/**
 * The presence key layout. Cells, departures and the watcher's known records share one prefix so a
 * single blocking list reads them atomically (a departure is visible in the same snapshot as the
 * deletion it explains).
 */
export class PresenceKeys {
  /** `<installation root>/presence`: everything presence writes lives under it. */
  readonly root: string;

  constructor(root: string = DEFAULT_ROOT) {
    this.root = `${root.replace(/\/+$/, '')}/presence`;
  }

  /** The watched prefix, with its trailing slash. */
  get prefix(): string {
    return `${this.root}/`;
  }

  get cellsPrefix(): string {
    return `${this.root}/cells/`;
  }

  /** Held by the cell's session (behavior delete): gone when the session is. */
  cell(id: string): string {
    return `${this.cellsPrefix}${id}`;
  }

  /** Per incarnation, so a restart never overwrites a departure the watcher has not read yet. */
  departure(id: string, incarnation: string): string {
    return `${this.root}/departures/${id}/${incarnation}`;
  }

  /**
   * Written with the presence key in one transaction and not session-bound: it outlives a hard death, so a
   * watcher that never saw this incarnation live still reports it ended. Deleted when that is reported.
   */
  incarnation(id: string, incarnation: string): string {
    return `${this.root}/incarnations/${id}/${incarnation}`;
  }

  known(id: string): string {
    return `${this.root}/known/${id}`;
  }

  /** The watcher's last terminal event per cell (Lost or Departed): durable status for the controller. */
  outcome(id: string): string {
    return `${this.root}/outcomes/${id}`;
  }

  /** Which record a key under the prefix is, or undefined for a key presence does not own. */
  classify(
    key: string,
  ):
    | { kind: 'cell'; id: string }
    | { kind: 'departure'; id: string; incarnation: string }
    | { kind: 'incarnation'; id: string; incarnation: string }
    | { kind: 'known'; id: string }
    | { kind: 'outcome'; id: string }
    | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const parts = key.slice(this.prefix.length).split('/');
    const [kind, id, incarnation] = parts;
    if (id === undefined || id === '') return undefined;
    if (kind === 'cells' && parts.length === 2) return { kind: 'cell', id };
    if (kind === 'known' && parts.length === 2) return { kind: 'known', id };
    if (kind === 'outcomes' && parts.length === 2) return { kind: 'outcome', id };
    if (parts.length !== 3 || incarnation === undefined || incarnation === '') return undefined;
    if (kind === 'departures') return { kind: 'departure', id, incarnation };
    if (kind === 'incarnations') return { kind: 'incarnation', id, incarnation };
    return undefined;
  }
}
