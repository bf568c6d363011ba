import type { Change, Received } from './protocol.js';

const keyOf = (type: string, subject: string, incarnation: string): string =>
  `${type}|${subject}|${incarnation}`;

/** Every presence event the subscriber received, indexed by (type, subject, incarnation) and by seq. */
export class EventRecorder {
  readonly all: Received[] = [];
  readonly gaps: { fromSeq: number; toSeq: number }[] = [];
  readonly #byKey = new Map<string, number[]>();
  readonly #seqs = new Set<number>();
  #duplicateSeqs = 0;
  #duplicateKeys = 0;

  add(events: readonly Received[]): void {
    for (const event of events) {
      this.all.push(event);
      if (this.#seqs.has(event.seq)) this.#duplicateSeqs += 1;
      this.#seqs.add(event.seq);
      const key = keyOf(event.type, event.subject, event.incarnation);
      const times = this.#byKey.get(key);
      if (times === undefined) this.#byKey.set(key, [event.receivedAt]);
      else {
        times.push(event.receivedAt);
        this.#duplicateKeys += 1;
      }
    }
  }

  /** When the subscriber first received this event; undefined if not (yet). */
  receivedAt(type: string, subject: string, incarnation: string): number | undefined {
    return this.#byKey.get(keyOf(type, subject, incarnation))?.[0];
  }

  /** (type, subject, incarnation) delivered more than once, plus any seq delivered twice. */
  get duplicates(): number {
    return this.#duplicateKeys + this.#duplicateSeqs;
  }

  since(time: number): Received[] {
    return this.all.filter((event) => event.receivedAt >= time);
  }
}

/** Every change the pools reported, and each cell's current incarnation. */
export class ChangeRecorder {
  readonly all: Change[] = [];
  readonly #current = new Map<string, string>();

  add(changes: readonly Change[]): void {
    for (const change of changes) {
      this.all.push(change);
      if (change.kind === 'registered') this.#current.set(change.id, change.incarnation);
    }
  }

  incarnation(id: string): string | undefined {
    return this.#current.get(id);
  }

  between(from: number, to: number): Change[] {
    return this.all.filter((change) => change.committedAt >= from && change.committedAt <= to);
  }
}

/** The event a change must produce at the subscriber. */
export function expectedEvent(change: Change): string | undefined {
  if (change.kind === 'registered') return 'CellRegistered';
  if (change.kind === 'departed') return 'CellDeparted';
  return undefined;
}
