import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ConsulClient } from '../../src/consul/client.js';
import { ConsulAgentProcess } from '../../src/dev/agent-process.js';

export function consulBinary(): string {
  const path = process.env['BATON_TEST_CONSUL_BIN'];
  if (path === undefined)
    throw new Error('BATON_TEST_CONSUL_BIN is unset: run the tests through vitest (global setup)');
  return path;
}

export interface DevAgentFixture {
  readonly agent: ConsulAgentProcess;
  readonly client: ConsulClient;
}

/** What every per-file fixture holds: something with Consul processes to dispose of. */
interface Disposable {
  dispose(keepLogs: boolean): Promise<void>;
  readonly logPaths: readonly string[];
}

/**
 * Start a fixture before the calling file's tests and dispose of it after; when a test in the file failed,
 * keep its Consul logs and print where they are.
 */
export function useFixture<T>(
  start: () => Promise<T>,
  disposable: (fixture: T) => Disposable,
  timeoutMs = 120_000,
): { get(): T } {
  let fixture: T | undefined;
  let failed = false;
  beforeAll(async () => {
    fixture = await start();
  }, timeoutMs);
  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    if (fixture === undefined) return;
    const handle = disposable(fixture);
    if (failed) console.error(`[consul] kept logs: ${handle.logPaths.join(', ')}`);
    await handle.dispose(failed);
  });
  return {
    get(): T {
      if (fixture === undefined) throw new Error('fixture not started (used outside a test?)');
      return fixture;
    },
  };
}

/** One agent process as a `Disposable`. */
export function agentDisposable(agent: ConsulAgentProcess): Disposable {
  return { dispose: (keepLogs) => agent.dispose(keepLogs), logPaths: [agent.logPath] };
}

/** One real Consul dev agent for the calling test file. */
export function useDevAgent(): { get(): DevAgentFixture } {
  return useFixture(
    async () => {
      const agent = await ConsulAgentProcess.start({
        binary: consulBinary(),
        nodeName: `dev-${randomUUID().slice(0, 8)}`,
        mode: 'dev',
      });
      await agent.waitReady();
      return { agent, client: agent.client() };
    },
    (fixture) => agentDisposable(fixture.agent),
  );
}

/** A KV prefix no other test uses. */
export function uniquePrefix(label: string): string {
  return `baton-test/${label}-${randomUUID().slice(0, 8)}`;
}
