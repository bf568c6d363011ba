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
import { abortableSleep, isAborted } from '../time/clock.js';
import type { TimingProfile } from '../timing/safety-budget.js';
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
  #server: ObservabilityServer | undefined;
  readonly #streams = EVENT_STREAMS;
  /** Every replica follows the durable event streams for /events (ids come from the log, not the replica). */
  readonly #eventTails: EventTails;
  #tailsRun: Promise<void> = Promise.resolve();

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

  /** Start serving and campaigning; resolves with the HTTP address once listening. */
  async start(): Promise<AddressInfo | undefined> {
    let address: AddressInfo | undefined;
    if (this.#options.http !== undefined) {
      this.#server = new ObservabilityServer({
        host: this.#options.http.host,
        port: this.#options.http.port,
        registry: this.metrics.registry,
        readiness: () => this.readiness(),
        status: () => this.#status(),
        pages: statusPageRoutes(() => this.#status()),
        events: this.#eventTails,
        ...(this.#options.sse === undefined ? {} : { sse: this.#options.sse }),
        logger: this.#log,
      });
      address = await this.#server.listen();
    }
    this.#tailsRun = this.#eventTails.run(this.#stop.signal);
    void this.elector.start().catch((error: unknown) => {
      this.#log.error({ err: error }, 'controller election failed');
    });
    return address;
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

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.elector.stop();
    await this.#tailsRun;
    await this.#server?.close();
  }

  /** The active term: run the loops until the term ends; a crash of the loops restarts them. */
  async #lead(signal: AbortSignal): Promise<void> {
    this.#log.info('this controller is now active');
    while (!signal.aborted) {
      try {
        await this.controller.run(signal);
      } catch (error: unknown) {
        if (isAborted(signal)) break;
        this.#log.error({ err: error }, 'controller loops failed; restarting');
        await abortableSleep(1_000, signal).catch(() => undefined);
      }
    }
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
