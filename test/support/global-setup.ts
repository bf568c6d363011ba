import { locateConsul } from '../../src/dev/consul-binary.js';

/**
 * Runs once before any test file: finds or builds the Consul binary and hands its path to every worker.
 * A missing binary fails the run loudly; Consul-backed tests are never skipped.
 */
export default async function setup(): Promise<void> {
  const found = await locateConsul({
    log: (line) => {
      console.error(`[consul] ${line}`);
    },
  });
  process.env['BATON_TEST_CONSUL_BIN'] = found.path;
}
