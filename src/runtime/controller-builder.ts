import { ConfigError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { Controller, type ReconcileEvent } from './controller.js';
import type { Reconciler } from './reconciler.js';
import type { Runnable } from './runnable.js';
import type { WorkQueue } from './work-queue.js';

/**
 * One source a loop listens to, already mapped to the loop's keys: `listen` subscribes, hands every key a
 * change names to `enqueue`, and returns the function that unsubscribes. A source only says *that* a key
 * may have changed; the reconciler reads the state itself (level-triggered), so a lost or duplicated
 * notification costs a reconcile, never a wrong status.
 */
export interface Watch<K> {
  readonly name: string;
  readonly listen: (enqueue: (key: K) => void) => () => void;
}

/**
 * A watch from any event source: `subscribe` registers a listener and returns its unsubscribe (the shape
 * of `PrefixInformer.onChange` and `EventBus.on`); `map` names the keys one event concerns (none: ignored).
 * In the spirit of controller-runtime's `Watches(source, handler)`.
 */
export function watches<E, K>(
  name: string,
  subscribe: (listener: (event: E) => void) => () => void,
  map: (event: E) => Iterable<K>,
): Watch<K> {
  return {
    name,
    listen: (enqueue) =>
      subscribe((event) => {
        for (const key of map(event)) enqueue(key);
      }),
  };
}

/** A reconcile loop as data: what it listens to, what reconciles a key, and every key that exists now. */
export interface LoopDeclaration<K> {
  /** Names the loop in logs and metrics (the record kind, say); unique among the loops run together. */
  readonly name: string;
  readonly watches: readonly Watch<K>[];
  readonly reconciler: Reconciler<K>;
  /** Every key to revisit on resync (all records and all their sources, not only keys seen). */
  readonly resync?: () => Iterable<K>;
}

/** What every declared loop shares. */
export interface LoopSettings<K> {
  /** Re-add every key `resync` returns this often; off when undefined. @default undefined */
  readonly resyncMs?: number;
  /** Keys of one loop reconciled at the same time. @default the Controller's default (2) */
  readonly concurrency?: number;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** The work queue of the named loop (to give it a metrics observer, say). @default a new WorkQueue */
  readonly queue?: (loop: string) => WorkQueue<K>;
  /** Called after every reconcile of the named loop. */
  readonly onReconciled?: (loop: string, event: ReconcileEvent<K>) => void;
}

/**
 * Turns loop declarations into running loops: one `Controller` per declaration, its watches subscribed
 * for as long as it runs. The watches are subscribed synchronously when `run` is called, so a source
 * started right after misses nothing. `run` resolves once every loop has stopped.
 */
export class DeclaredLoops<K = string> implements Runnable {
  readonly name = 'reconcile loops';
  readonly #loops: readonly { declaration: LoopDeclaration<K>; controller: Controller<K> }[];

  constructor(declarations: readonly LoopDeclaration<K>[], settings: LoopSettings<K> = {}) {
    const names = declarations.map((d) => d.name);
    const twice = names.find((name, index) => names.indexOf(name) !== index);
    if (twice !== undefined) throw new ConfigError(`two reconcile loops are named ${twice}`);
    this.#loops = declarations.map((declaration) => ({
      declaration,
      controller: controllerFor(declaration, settings),
    }));
  }

  /** The loop's controller (to enqueue a key by hand, say). */
  controller(name: string): Controller<K> | undefined {
    return this.#loops.find((loop) => loop.declaration.name === name)?.controller;
  }

  async run(signal: AbortSignal, ready: () => void = () => undefined): Promise<void> {
    const unsubscribe = this.#loops.flatMap(({ declaration, controller }) =>
      declaration.watches.map((watch) => watch.listen((key) => controller.enqueue(key))),
    );
    try {
      const running = this.#loops.map(({ controller }) => controller.run(signal));
      ready();
      // Wait for every loop to stop, even if one failed to start, so no worker outlives `run`.
      const failed = (await Promise.allSettled(running)).find((r) => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    } finally {
      for (const stop of unsubscribe) stop();
    }
  }
}

function controllerFor<K>(declaration: LoopDeclaration<K>, settings: LoopSettings<K>): Controller<K> {
  const { name, reconciler, resync } = declaration;
  const { resyncMs, concurrency, clock, logger, queue, onReconciled } = settings;
  return new Controller<K>({
    name,
    reconciler,
    ...(resyncMs === undefined || resync === undefined ? {} : { resyncMs, listKeys: resync }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(clock === undefined ? {} : { clock }),
    ...(logger === undefined ? {} : { logger }),
    ...(queue === undefined ? {} : { queue: queue(name) }),
    ...(onReconciled === undefined ? {} : { onReconciled: (event) => onReconciled(name, event) }),
  });
}
