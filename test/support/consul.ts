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

/**
 * One real Consul dev agent for the calling test file, started before its tests and stopped after.
 * Its log is kept (and its path printed) when a test in the file failed.
 */
export function useDevAgent(): { get(): DevAgentFixture } {
  let fixture: DevAgentFixture | undefined;
  let failed = false;
  beforeAll(async () => {
    const agent = await ConsulAgentProcess.start({
      binary: consulBinary(),
      nodeName: `dev-${randomUUID().slice(0, 8)}`,
      mode: 'dev',
    });
    await agent.waitReady();
    fixture = { agent, client: agent.client() };
  });
  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    if (failed && fixture !== undefined) console.error(`[consul] kept agent log: ${fixture.agent.logPath}`);
    await fixture?.agent.dispose(failed);
  });
  return {
    get(): DevAgentFixture {
      if (fixture === undefined) throw new Error('dev agent not started (used outside a test?)');
      return fixture;
    },
  };
}

/** A KV prefix no other test uses. */
export function uniquePrefix(label: string): string {
  return `baton-test/${label}-${randomUUID().slice(0, 8)}`;
}
