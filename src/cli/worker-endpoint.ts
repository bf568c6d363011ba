import type { ConsulClient } from '../consul/client.js';
import { ObservabilityServer, type Readiness } from '../http/observability-server.js';
import type { Logger } from '../log/logger.js';
import { CoreMetrics } from '../metrics/core-metrics.js';
import type { Singleton } from '../singleton/elector.js';
import { CliError, ExitCode } from './exit.js';

/** `--http host:port` (or "off"): where a Baton process serves its HTTP endpoint. */
export function parseHttpFlag(text: string): { host: string; port: number } | undefined {
  if (text === 'off') return undefined;
  const match = /^(.+):(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (match?.[1] === undefined || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new CliError(
      `--http takes host:port (e.g. 127.0.0.1:9470) or "off", got "${text}"`,
      ExitCode.usage,
    );
  }
  return { host: match[1], port };
}

export interface WorkerEndpointOptions {
  /** The `--http` flag's value; undefined or "off": no endpoint. */
  readonly http: string | undefined;
  /** The client whose requests and leases are measured: the one the worker uses. */
  readonly client: ConsulClient;
  /** A singleton candidate's leadership, for `baton_singleton_leader`. */
  readonly singleton?: Singleton;
  readonly readiness: () => Readiness;
  readonly status: () => unknown;
  readonly logger: Logger;
}

/**
 * `baton run --http` and `baton cell --http`: `/metrics` (process, build, Consul requests, the lease's
 * confirmation age and heartbeat failures, leadership) and `/healthz`, 503 unless the lease was confirmed
 * within its check TTL. Returns the function that closes it.
 */
export async function startWorkerEndpoint(options: WorkerEndpointOptions): Promise<() => Promise<void>> {
  const address = options.http === undefined ? undefined : parseHttpFlag(options.http);
  if (address === undefined) return () => Promise.resolve();
  const metrics = new CoreMetrics();
  const stopObserving = metrics.observe(options.client);
  const stopTracking = options.singleton === undefined ? undefined : metrics.leader.track(options.singleton);
  const server = new ObservabilityServer({
    ...address,
    registry: metrics.registry,
    health: () => {
      const health = metrics.leases.health();
      return { ready: health.healthy, detail: health.detail };
    },
    readiness: options.readiness,
    status: () => Promise.resolve(options.status()),
    logger: options.logger,
  });
  let listening;
  try {
    listening = await server.listen();
  } catch (error: unknown) {
    stopObserving();
    throw new CliError(`cannot serve HTTP on ${options.http}: ${(error as Error).message}`, ExitCode.usage);
  }
  options.logger.info(
    { http: `http://${listening.address}:${listening.port}` },
    'serving health and metrics',
  );
  return async () => {
    stopObserving();
    stopTracking?.();
    await server.close();
  };
}
