import { locateChromium } from '../../src/dev/chromium-binary.js';
import { locateConsul } from '../../src/dev/consul-binary.js';
import { locatePromlint } from '../../src/dev/promlint-binary.js';

/**
 * Runs once before any test file: finds or builds the Consul and promlint binaries, finds or installs the
 * headless Chromium the status page test drives, and hands their paths to every worker. A missing binary
 * fails the run loudly; Consul- and browser-backed tests are never skipped.
 */
export default async function setup(): Promise<void> {
  const found = await locateConsul({
    log: (line) => {
      console.error(`[consul] ${line}`);
    },
  });
  process.env['BATON_TEST_CONSUL_BIN'] = found.path;
  process.env['BATON_TEST_PROMLINT_BIN'] = await locatePromlint({
    log: (line) => console.error(`[promlint] ${line}`),
  });
  process.env['BATON_TEST_CHROMIUM_BIN'] = await locateChromium({
    log: (line) => console.error(`[chromium] ${line}`),
  });
}
