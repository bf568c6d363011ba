import { afterAll, expect, it } from 'vitest';
import { useCluster } from '../support/cluster.js';
import { uniquePrefix } from '../support/consul.js';
import { waitFor } from '../support/wait.js';
import { WorkerLab } from '../support/workers.js';

const fixture = useCluster();
let lab: WorkerLab | undefined;

// Registered after useCluster's hooks, so vitest runs it first: workers stop before the cluster does.
afterAll(async () => {
  await lab?.stopAll();
});

it('rule 1 across a Consul leader SIGKILL: never two workers; the worker survives or hands over cleanly', async () => {
  const cluster = fixture.get();
  lab = new WorkerLab(uniquePrefix('raft').replace('baton-test/', 't-'), `${uniquePrefix('raft')}/resource`);
  // One candidate per server: each candidate's TTL check and session live on the server it talks to.
  for (const [i, server] of cluster.servers.entries()) lab.startCandidate(`c${i + 1}`, server.httpAddr);
  await waitFor(() => (lab?.starts().length ?? 0) >= 1, { timeoutMs: 30_000 });
  const leader = await cluster.leader();
  const killedAt = Date.now();
  await leader.kill();
  await cluster.leader();
  // Some worker must be acting (accepted writes) again after the election.
  await waitFor(
    () =>
      (lab?.records() ?? []).some(
        (r) => r.event === 'attempt' && r.accepted === true && r.at > killedAt + 500,
      ),
    { timeoutMs: 45_000, message: 'no worker acted after the leader change' },
  );
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(lab.overlaps()).toEqual([]);
  const survivor = cluster.followers(leader)[0];
  const { value } = await (survivor?.client() ?? leader.client()).kv.list(`${lab.resourceKey}-audit/`, {
    consistency: 'consistent',
  });
  const tokens = value.map((e) => (JSON.parse(e.value.toString()) as { token: number }).token);
  expect(tokens.every((t, i) => i === 0 || t >= (tokens[i - 1] ?? t))).toBe(true);
}, 150_000);
