import type { AddressInfo } from 'node:net';
import type { ConsulClient } from '../consul/client.js';
import { EventLog } from '../events/event-log.js';
import { EventTails } from '../events/event-tails.js';
import { ObservabilityServer, type Readiness } from '../http/observability-server.js';
import type { SseLimits } from '../http/sse-connection.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { BatonMetrics } from '../metrics/baton-metrics.js';
import { EVENT_STREAMS } from './event-streams.js';
import { Singleton } from '../singleton/elector.js';
import { InvalidStateError } from '../errors.js';
import { runnable, type Runnable } from '../runtime/runnable.js';
import { RunnableGroup, type GroupMember } from '../runtime/runnable-group.js';
import { retryUntil } from '../time/retry.js';
import { untilAborted } from '../time/until-aborted.js';
import type { TimingProfile } from '../api/timing-profile.js';
import { BatonController } from './baton-controller.js';
import { statusPageRoutes } from './status-page/status-page-routes.js';
import { statusSnapshot, type StatusSnapshot } from './status-snapshot.js';

/** The singleton the controller replicas campaign for. */
export const CONTROLLER_SINGLETON = 'baton-controller';

export interface ControllerDaemonOptions {
  readonly client: ConsulClient;
  /** @default host:pid */
  readonly identity?: string;
  /** Where to serve /healthz /readyz /metrics /status /events; undefined: no HTTP server. */
  readonly http?: { readonly host: string; readonly port: number };
  /** Periodic re-reconcile (see `BatonController`). @default CONTROLLER_DEFAULTS.resyncMs */
  readonly resyncMs?: number;
  /** The installation's KV root (see `KvLayout`); replicas of one installation share it. @default 'baton/v1' */
  readonly root?: string;
  /** Timing of the controllers' own election (see the singleton timing model). @default SINGLETON_DEFAULTS.timing */
  readonly timing?: Partial<TimingProfile>;
  /** Per-client limits of `/events`. @default DEFAULT_SSE_LIMITS */
  readonly sse?: SseLimits;
  /** Where the daemon and its parts log (pino). @default silentLogger: quiet */
  readonly logger?: Logger;
  /** Retention of ended Cell records and unheld lock keys (see `BatonController`). @default CONTROLLER_DEFAULTS (24 h each) */
  readonly retention?: { readonly cellRetentionMs?: number; readonly lockRetentionMs?: number };
}

/**
 * One `baton controller` process: always serves its HTTP endpoint and tails the event logs; campaigns
 * with Baton's own election so exactly one replica runs the reconcile loops, the others wait hot.
 */
export class ControllerDaemon {
  readonly metrics = new BatonMetrics();
  readonly controller: BatonController;
  readonly elector: Singleton;
  readonly #options: ControllerDaemonOptions;
  readonly #log: Logger;
  readonly #stop = new AbortController();
  #address: AddressInfo | undefined;
  #running: Promise<void> | undefined;
  readonly #streams = EVENT_STREAMS;
  /** Every replica follows the durable event streams for /events (ids come from the log, not the replica). */
  readonly #eventTails: EventTails;

  constructor(options: ControllerDaemonOptions) {
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
    this.controller = new BatonController({
      client: options.client,
      metrics: this.metrics,
      logger: this.#log,
      ...(options.root === undefined ? {} : { root: options.root }),
      ...(options.resyncMs === undefined ? {} : { resyncMs: options.resyncMs }),
      ...options.retention,
    });
    this.elector = new Singleton({
      client: options.client,
      name: CONTROLLER_SINGLETON,
      root: this.controller.layout.root,
      ...(options.identity === undefined ? {} : { identity: options.identity }),
      logger: this.#log,
      ...(options.timing === undefined ? {} : { timing: options.timing }),
      work: (leadership) => this.#lead(leadership.signal),
    });
    this.metrics.observe(options.client);
    this.metrics.leader.track(this.elector);
    this.metrics.sources.eventLogHeads = () => this.#eventLogHeads();
    this.#eventTails = new EventTails({
      client: options.client,
      streams: this.#streams,
      root: this.controller.layout.root,
      logger: this.#log,
    });
    this.metrics.sources.eventTailCursors = () => this.#eventTails.cursors;
  }

  /**
   * The daemon as one runnable group: the HTTP server (ready once listening), the event tails, then the
   * election (whose terms run the controller loops). Resolves once stopped through `signal`; rejects with
   * the first part's failure (a listen error, an election refused by Consul's ACLs), after stopping the
   * others in reverse order.
   */
  run(signal: AbortSignal, ready?: () => void): Promise<void> {
    const server = this.#server();
    const members: GroupMember[] = [
      ...(server === undefined ? [] : [{ runnable: server, waitReady: true }]),
      { runnable: runnable('event tails', (stop) => this.#eventTails.run(stop)) },
      { runnable: runnable('election', (stop) => this.#campaign(stop)) },
    ];
    return new RunnableGroup({ name: 'controller daemon', members, logger: this.#log }).run(signal, ready);
  }

  /** Start `run` in the background; resolves with the HTTP address once listening (rejects if it cannot). */
  async start(): Promise<AddressInfo | undefined> {
    if (this.#running !== undefined) throw new InvalidStateError('controller daemon was already started');
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const running = this.run(this.#stop.signal, markStarted);
    this.#running = running;
    // The caller learns of a later failure through `stopped`; here it is only kept from going unhandled.
    running.catch(() => undefined);
    await Promise.race([started, running]);
    return this.#address;
  }

  /** Settles when the daemon has stopped: rejects with the failure that stopped it (see `run`). */
  get stopped(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  /** The HTTP server as a runnable: ready once listening, closed when stopped. */
  #server(): Runnable | undefined {
    const { http } = this.#options;
    if (http === undefined) return undefined;
    return runnable('http server', async (signal, ready) => {
      const server = new ObservabilityServer({
        host: http.host,
        port: http.port,
        registry: this.metrics.registry,
        readiness: () => this.readiness(),
        status: () => this.#status(),
        pages: statusPageRoutes(() => this.#status()),
        events: this.#eventTails,
        ...(this.#options.sse === undefined ? {} : { sse: this.#options.sse }),
        logger: this.#log,
      });
      this.#address = await server.listen();
      ready();
      await untilAborted(signal);
      await server.close();
    });
  }

  /** Campaign until stopped: the election's own failure (a token without permission) is the daemon's. */
  async #campaign(signal: AbortSignal): Promise<void> {
    const stop = (): void => void this.elector.stop();
    signal.addEventListener('abort', stop, { once: true });
    try {
      await this.elector.start();
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  #status(): Promise<StatusSnapshot> {
    return statusSnapshot(this, { client: this.#options.client, streams: this.#streams });
  }

  /** Ready when its caches are synced (active) or it knows who the active controller is (standby). */
  readiness(): Readiness {
    const state = this.elector.state;
    const leader = this.elector.holder?.identity;
    const ready =
      (state === 'leading' && this.controller.synced) || (state === 'waiting' && leader !== undefined);
    return { ready, detail: { state, leader: leader ?? null, cachesSynced: this.controller.synced } };
  }

  /** `await using daemon = new ControllerDaemon(…)`: stops (hands over, closes the server) at block exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Stop every part (hand over first, close the server last) and wait for them. */
  async stop(): Promise<void> {
    this.#stop.abort();
    if (this.#running === undefined) await this.elector.stop();
    await this.#running?.catch(() => undefined);
  }

  /** The active term: run the loops until the term ends; a crash of the loops restarts them. */
  async #lead(signal: AbortSignal): Promise<void> {
    this.#log.info('this controller is now active');
    await retryUntil(
      async () => {
        await this.controller.run(signal);
        return undefined;
      },
      { signal, onError: (error) => this.#log.error({ err: error }, 'controller loops failed; restarting') },
    );
  }

  /** Each stream's committed head, read at scrape time. */
  async #eventLogHeads(): Promise<Map<string, number>> {
    const heads = await Promise.all(
      this.#streams.map(async (stream) => {
        const log = new EventLog({ client: this.#options.client, stream, root: this.controller.layout.root });
        return [stream, await log.head(this.#stop.signal)] as const;
      }),
    );
    return new Map(heads);
  }
}
