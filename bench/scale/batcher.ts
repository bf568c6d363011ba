import { BATCH_MS } from './protocol.js';

/** Collects items and hands them to `flush` in one batch at most every BATCH_MS (and on `drain`). */
export class Batcher<T> {
  #items: T[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly flush: (items: readonly T[]) => void) {}

  push(item: T): void {
    this.#items.push(item);
    this.#timer ??= setTimeout(() => this.drain(), BATCH_MS);
  }

  drain(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.flush(items);
  }
}

/** Send over IPC; an orchestrator that went away ends this child. */
export function sendToParent(message: unknown): void {
  if (process.send === undefined || !process.connected) process.exit(0);
  process.send(message);
}
