import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsulAgentProcess } from '../../src/dev/agent-process.js';
import { freePort } from '../../src/dev/ports.js';
import { consulBinary, useFixture } from './consul.js';
import { waitFor } from './wait.js';

/**
 * A real 3-server Consul cluster on loopback: distinct node names, data dirs and ports, bootstrap-expect 3,
 * joined over serf LAN, fast gossip. Servers can be stopped, SIGKILLed and restarted one at a time.
 */
export class ConsulCluster {
  readonly servers: ConsulAgentProcess[];

  private constructor(servers: ConsulAgentProcess[]) {
    this.servers = servers;
  }

  /** `extraHcl`: added to every server's configuration (e.g. an `acl {}` block). */
  static async start(size = 3, extraHcl: readonly string[] = []): Promise<ConsulCluster> {
    const workDir = mkdtempSync(join(tmpdir(), 'baton-cluster-'));
    const tag = randomUUID().slice(0, 6);
    const serfPorts = await Promise.all(Array.from({ length: size }, () => freePort()));
    const join_ = serfPorts.map((port) => `127.0.0.1:${port}`);
    const servers: ConsulAgentProcess[] = [];
    for (const [i, serfLan] of serfPorts.entries()) {
      servers.push(
        await ConsulAgentProcess.start({
          binary: consulBinary(),
          nodeName: `s${i + 1}-${tag}`,
          mode: 'server',
          bootstrapExpect: size,
          join: join_.filter((_, j) => j !== i),
          workDir: join(workDir, `s${i + 1}`),
          ports: { http: await freePort(), serfLan, serfWan: await freePort(), server: await freePort() },
          extraHcl,
        }),
      );
    }
    const cluster = new ConsulCluster(servers);
    await Promise.all(servers.map((server) => server.waitReady({ timeoutMs: 90_000 })));
    return cluster;
  }

  /** The server that is Raft leader right now, as every running server agrees. */
  async leader(): Promise<ConsulAgentProcess> {
    let found: ConsulAgentProcess | undefined;
    await waitFor(
      async () => {
        const running = this.servers.filter((s) => s.running);
        const answers = await Promise.all(
          running.map((s) =>
            s
              .client()
              .leader()
              .catch(() => undefined),
          ),
        );
        const first = answers[0];
        found =
          first === undefined || answers.some((a) => a !== first)
            ? undefined
            : running.find((s) => s.serverAddr === first);
        return found !== undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, message: 'the cluster did not agree on a leader' },
    );
    if (found === undefined) throw new Error('unreachable');
    return found;
  }

  followers(leader: ConsulAgentProcess): ConsulAgentProcess[] {
    return this.servers.filter((s) => s !== leader && s.running);
  }

  async dispose(keepLogs = false): Promise<void> {
    await Promise.all(this.servers.map((server) => server.dispose(keepLogs)));
  }
}

/** A real 3-server cluster for the calling test file (logs kept when a test fails). */
export function useCluster(): { get(): ConsulCluster } {
  return useFixture(
    () => ConsulCluster.start(3),
    (cluster) => ({
      dispose: (keepLogs) => cluster.dispose(keepLogs),
      logPaths: cluster.servers.map((server) => server.logPath),
    }),
  );
}
