#!/usr/bin/env node
// Provision a tool the tests need and print its path: `node scripts/provision.mjs consul|promlint|browser`.
// consul: CONSUL_BIN, PATH, the cache, or a Go build into the cache; promlint: PROMLINT_BIN, the cache, or a
// Go build; browser: CHROME_BIN, an installed Chromium, or Debian's chromium package through apt-get.
// Needs `npm run build` first: it uses the same locators as `baton consul-dev` and the test suite.
import { locateChromium } from '../dist/dev/chromium-binary.js';
import { locateConsul } from '../dist/dev/consul-binary.js';
import { locatePromlint } from '../dist/dev/promlint-binary.js';

const TOOLS = {
  consul: async (log) => {
    const found = await locateConsul({ log });
    log(`Consul ${found.version} from ${found.source}`);
    return found.path;
  },
  promlint: (log) => locatePromlint({ log }),
  browser: (log) => locateChromium({ log }),
};

const name = process.argv[2] ?? '';
const locate = Object.hasOwn(TOOLS, name) ? TOOLS[name] : undefined;
if (locate === undefined) {
  console.error(`usage: node scripts/provision.mjs ${Object.keys(TOOLS).join('|')}`);
  process.exit(2);
}
const log = (line) => console.error(`${name}:install: ${line}`);
const started = Date.now();
try {
  const path = await locate(log);
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  console.log(path);
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
