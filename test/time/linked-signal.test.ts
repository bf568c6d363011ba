import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkSignals } from '../../src/time/linked-signal.js';

describe('linkSignals', () => {
  it('aborts with the source reason and detaches from every source', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals([a.signal, undefined, b.signal]);
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(1);
    a.abort('first');
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('first');
    expect(linked.timedOut).toBe(false);
    expect(getEventListeners(b.signal, 'abort')).toHaveLength(0);
  });

  it('is already aborted when a source is', () => {
    const a = new AbortController();
    a.abort('gone');
    const linked = linkSignals([a.signal, new AbortController().signal]);
    expect(linked.signal.reason).toBe('gone');
  });

  it('times out and says so', async () => {
    const linked = linkSignals([], 5);
    await new Promise((resolve) => linked.signal.addEventListener('abort', resolve, { once: true }));
    expect(linked.timedOut).toBe(true);
    expect((linked.signal.reason as Error).name).toBe('TimeoutError');
  });

  it('leaves nothing attached to a long-lived source after dispose (the per-request leak)', () => {
    const longLived = new AbortController();
    for (let i = 0; i < 10_000; i += 1) linkSignals([longLived.signal], 60_000).dispose();
    expect(getEventListeners(longLived.signal, 'abort')).toHaveLength(0);
    const linked = linkSignals([longLived.signal], 60_000);
    linked.dispose();
    longLived.abort();
    expect(linked.signal.aborted).toBe(false);
  });

  it('lets many concurrent requests share one long-lived parent without a listener-leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    const parent = new AbortController();
    const links = Array.from({ length: 50 }, () => linkSignals([parent.signal], 60_000));
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    for (const link of links) link.dispose();
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
