#!/usr/bin/env node
// Provision a Consul binary (CONSUL_BIN, PATH, cache, or a Go build into the cache) and print its path.
// Needs `npm run build` first: it uses the same locator as `baton consul-dev` and the test suite.
import { locateConsul } from '../dist/dev/consul-binary.js';

const started = Date.now();
try {
  const found = await locateConsul({ log: (line) => console.error(`consul:install: ${line}`) });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.error(`consul:install: Consul ${found.version} from ${found.source} (${seconds}s)`);
  console.log(found.path);
} catch (error) {
  console.error(`consul:install: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
