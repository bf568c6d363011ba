import { describe, expect, it } from 'vitest';
import { BatonController } from '../../src/controllers/baton-controller.js';
import { BatonMetrics } from '../../src/metrics/baton-metrics.js';
import { useDevAgent } from '../support/consul.js';

const consul = useDevAgent();

describe('the controller loops stop promptly when their term ends', () => {
  // A term can end at any moment (lost confidence under load, step-down): before the caches sync, while
  // they sync, or later. run() must return each time, or the replica could never campaign again.
  it.each([0, 1, 10, 50, 200, 1_000])('abort after %i ms', async (delayMs) => {
    const controller = new BatonController({
      client: consul.get().client,
      metrics: new BatonMetrics({ processMetrics: false }),
    });
    const abort = new AbortController();
    const running = controller.run(abort.signal);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const abortedAt = Date.now();
    abort.abort();
    const outcome = await Promise.race([
      running.then(
        () => 'returned',
        () => 'threw',
      ),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 10_000)),
    ]);
    expect(outcome).not.toBe('hung');
    expect(Date.now() - abortedAt).toBeLessThan(10_000);
  });
});
