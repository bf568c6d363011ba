#!/usr/bin/env node
// Provision the promlint checker (PROMLINT_BIN, the cache, or a Go build into the cache) and print its path.
// Needs `npm run build` first: it uses the same locator as the test suite.
import { locatePromlint } from '../dist/dev/promlint-binary.js';

try {
  console.log(await locatePromlint({ log: (line) => console.error(`promlint:install: ${line}`) }));
} catch (error) {
  console.error(`promlint:install: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
