#!/usr/bin/env node
// Provision the headless Chromium the status-page test drives (CHROME_BIN, one installed, or Debian's
// chromium package through apt-get) and print its path. Needs `npm run build` first: it uses the same
// locator as the test suite.
import { locateChromium } from '../dist/dev/chromium-binary.js';

try {
  console.log(await locateChromium({ log: (line) => console.error(`browser:install: ${line}`) }));
} catch (error) {
  console.error(`browser:install: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
