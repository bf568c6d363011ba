import { abortableSleep } from '../../src/time/clock.js';

/** Poll a condition until it holds; the timeout is generous on purpose (tests assert order, not speed). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(options.message ?? 'condition not met in time');
    await abortableSleep(options.intervalMs ?? 50);
  }
}
