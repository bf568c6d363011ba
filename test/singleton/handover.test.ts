import { describe, expect, it } from 'vitest';
import { KvLayout } from '../../src/layout/kv-layout.js';
import { Singleton } from '../../src/singleton/elector.js';
import type { Leadership } from '../../src/singleton/term.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';

/**
 * The clean handover path, cut for speed (issue 10), against a real Consul agent: what the cuts must keep.
 * The acquire reports the fencing token in the same `/v1/txn` round trip (no read-back), and it must still
 * be the lock key's ModifyIndex as a consistent read shows it, strictly increasing across holders; a stop
 * aborts the work synchronously, before anything else of the handover runs; the release comes only after
 * the work is over.
 */

const consul = useDevAgent();
const layout = new KvLayout();

function singletonName(label: string): string {
  return uniquePrefix(label).replace('baton-test/', 't-');
}

interface Term {
  readonly leadership: Leadership;
  /** The lock key as a consistent read showed it once the work had started. */
  readonly keyModifyIndex: number | undefined;
  /** Whether the key still named this term's session when its work was told to stop. */
  heldAtAbort?: boolean;
}

describe('clean handover against a real Consul agent', () => {
  it('tokens from the acquire are the key ModifyIndex and strictly increase; stop aborts the work at once', async () => {
    const { client } = consul.get();
    const name = singletonName('handover');
    const key = layout.locks.singleton(name);
    const terms: Term[] = [];
    const make = (identity: string): Singleton =>
      new Singleton({
        client,
        name,
        identity,
        work: async (leadership) => {
          const { value } = await client.kv.get(key, { consistency: 'consistent' });
          const term: Term = { leadership, keyModifyIndex: value?.modifyIndex };
          terms.push(term);
          await new Promise<void>((resolve) =>
            leadership.signal.addEventListener('abort', () => resolve(), { once: true }),
          );
          // The key is released only after the work returns: at the abort it is still ours.
          const now = await client.kv.get(key, { consistency: 'consistent' });
          term.heldAtAbort = now.value?.session === leadership.sessionId;
        },
      });
    const candidates = ['a', 'b', 'c'].map(make);
    const runs = candidates.map((candidate) => candidate.start());
    for (let handover = 0; handover < 3; handover += 1) {
      await waitFor(() => terms.length === handover + 1, { timeoutMs: 30_000 });
      const current = terms[handover];
      const holder = candidates.find((c) => c.identity === current?.leadership.identity);
      if (current === undefined || holder === undefined) throw new Error('no holder');
      const stopped = holder.stop();
      // Synchronously: the work's signal aborted inside stop(), before any other step of the handover.
      expect(current.leadership.signal.aborted).toBe(true);
      await stopped;
    }
    await Promise.all(runs);
    const tokens = terms.map((term) => term.leadership.token);
    expect(terms.map((term) => term.keyModifyIndex)).toEqual(tokens);
    for (const [i, token] of tokens.entries()) if (i > 0) expect(token).toBeGreaterThan(tokens[i - 1] ?? 0);
    expect(terms.map((term) => term.heldAtAbort)).toEqual([true, true, true]);
  });
});
