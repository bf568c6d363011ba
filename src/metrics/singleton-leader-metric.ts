import { Gauge, type Registry } from 'prom-client';
import type { Singleton } from '../singleton/elector.js';

/** `baton_singleton_leader{singleton}`: 1 while this process's candidate for that singleton leads. */
export class SingletonLeaderMetric {
  readonly #gauge: Gauge<'singleton'>;

  constructor(registry: Registry) {
    this.#gauge = new Gauge({
      name: 'baton_singleton_leader',
      help: "1 while this process's candidate is the singleton's worker, else 0",
      labelNames: ['singleton'] as const,
      registers: [registry],
    });
  }

  /** Follow `singleton`'s state from now on; returns the function that stops following. */
  track(singleton: Singleton): () => void {
    const set = (): void => {
      this.#gauge.set({ singleton: singleton.name }, singleton.state === 'leading' ? 1 : 0);
    };
    set();
    singleton.on('state', set);
    return () => singleton.off('state', set);
  }
}
