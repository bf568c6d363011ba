import { AclApi } from './acl.js';
import { AgentApi } from './agent.js';
import { resolveConsulConfig, type ConsulConfig, type ConsulConfigOverrides } from './config.js';
import { ConsulHttp, type ConsulRequestObserver, type ConsulRequestStats } from './http.js';
import { KvApi } from './kv.js';
import { SessionApi } from './session.js';
import { TxnApi } from './txn.js';
import { z } from 'zod';

const LeaderSchema = z.string();
const CatalogNodeSchema = z.object({ Node: z.object({ Node: z.string() }).nullable() }).nullable();

/** A thin, typed Consul HTTP client: KV, sessions, agent checks, transactions, ACLs and status. */
export class ConsulClient {
  readonly kv: KvApi;
  readonly session: SessionApi;
  readonly agent: AgentApi;
  readonly txn: TxnApi;
  readonly acl: AclApi;
  readonly #http: ConsulHttp;

  constructor(config: ConsulConfig) {
    this.#http = new ConsulHttp(config);
    this.kv = new KvApi(this.#http);
    this.session = new SessionApi(this.#http);
    this.agent = new AgentApi(this.#http);
    this.txn = new TxnApi(this.#http);
    this.acl = new AclApi(this.#http);
  }

  /** Build a client from Consul's environment variables, with optional explicit overrides. */
  static fromEnv(overrides: ConsulConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): ConsulClient {
    return new ConsulClient(resolveConsulConfig(overrides, env));
  }

  get address(): string {
    return this.#http.address;
  }

  get stats(): Readonly<ConsulRequestStats> {
    return this.#http.stats;
  }

  /** Observe every finished request (for metrics); returns the function that stops observing. */
  observeRequests(observer: ConsulRequestObserver): () => void {
    return this.#http.observe(observer);
  }

  /** The Raft leader's address, or `undefined` while the cluster has none. */
  async leader(signal?: AbortSignal): Promise<string | undefined> {
    const path = '/v1/status/leader';
    const response = await this.#http.expectOk({ method: 'GET', path, signal });
    const leader = this.#http.parse(LeaderSchema, response, path);
    return leader === '' ? undefined : leader;
  }

  /** Whether the catalog knows a node (a session can only be created for a registered node). */
  async nodeRegistered(node: string, signal?: AbortSignal): Promise<boolean> {
    const path = `/v1/catalog/node/${encodeURIComponent(node)}`;
    const response = await this.#http.expectOk({ method: 'GET', path, signal }, true);
    if (response.status === 404) return false;
    return this.#http.parse(CatalogNodeSchema, response, path)?.Node != null;
  }
}
