import { randomUUID } from 'node:crypto';
import { ConsulClient } from '../../src/consul/client.js';
import { ConsulAgentProcess } from '../../src/dev/agent-process.js';
import { locateConsul } from '../../src/dev/consul-binary.js';
import { ConsulCluster } from '../../test/support/cluster.js';
import { CampaignAcl } from './acl.js';

export type TopologyName = 'dev' | 'cluster';

/**
 * Every "host" of the campaign shares 127.0.0.1, and Consul caps HTTP connections per client IP (200 by
 * default: beyond, 429): raise the cap so one IP can stand for many hosts.
 */
const LOOPBACK_HOSTS_HCL = ['limits { http_max_conns_per_client = 4096 }'];

/**
 * Where the campaign's Consul runs. `dev`: one dev agent, which is also the only host. `cluster`: the
 * tests' 3-server cluster plus client agents standing in for hosts: candidates and cells talk to their
 * host's agent, so killing an agent is a VM loss. Both use the fixtures' fast gossip and TTL settings.
 */
export class Topology {
  private constructor(
    readonly name: TopologyName,
    /** The agents processes are placed on (round-robin). */
    readonly hosts: readonly ConsulAgentProcess[],
    readonly cluster: ConsulCluster | undefined,
    /** ACLs are on with default allow; the campaign holds the management token (fault `acl-revoke`). */
    readonly acl: CampaignAcl,
  ) {}

  static async start(name: TopologyName, clientAgents = 2): Promise<Topology> {
    const binary = (await locateConsul()).path;
    const acl = new CampaignAcl();
    if (name === 'dev') {
      const agent = await ConsulAgentProcess.start({
        binary,
        nodeName: `chaos-${tag()}`,
        mode: 'dev',
        extraHcl: [...LOOPBACK_HOSTS_HCL, ...acl.serverHcl()],
      });
      await agent.waitReady();
      return new Topology(name, [agent], undefined, acl);
    }
    // The cluster fixture reads the binary from the tests' variable.
    process.env['BATON_TEST_CONSUL_BIN'] = binary;
    const cluster = await ConsulCluster.start(3, acl.serverHcl());
    const join = cluster.servers.map((server) => server.serfLanAddr);
    const hosts: ConsulAgentProcess[] = [];
    for (let i = 1; i <= clientAgents; i += 1) {
      const agent = await ConsulAgentProcess.start({
        binary,
        nodeName: `host${i}-${tag()}`,
        mode: 'client',
        join,
        extraHcl: [...LOOPBACK_HOSTS_HCL, ...acl.clientHcl()],
      });
      await agent.waitReady({ timeoutMs: 90_000 });
      hosts.push(agent);
    }
    return new Topology(name, hosts, cluster, acl);
  }

  /** The host agent a process placed at `index` talks to (round-robin). */
  hostAt(index: number): ConsulAgentProcess {
    const host = this.hosts[index % this.hosts.length];
    if (host === undefined) throw new Error('no hosts');
    return host;
  }

  /** A client for the campaign's own reads (listings, logs, records): a server, never a host agent. */
  observer(): ConsulClient {
    const server = this.cluster?.servers.find((s) => s.running) ?? this.hosts[0];
    if (server === undefined) throw new Error('no Consul agent is running');
    return server.client();
  }

  /** Like `observer()`, with the management token: creates and deletes the victims' tokens. */
  management(): ConsulClient {
    return new ConsulClient({ baseUrl: this.observer().address, token: this.acl.managementToken });
  }

  /** Every Consul process, for the end-of-run heal. */
  get agents(): readonly ConsulAgentProcess[] {
    return [...(this.cluster?.servers ?? []), ...this.hosts];
  }

  async dispose(): Promise<void> {
    await Promise.all(this.hosts.map((host) => host.dispose()));
    await this.cluster?.dispose();
  }
}

function tag(): string {
  return randomUUID().slice(0, 6);
}
