#!/usr/bin/env node
import { runDemo } from './run-demo.js';

try {
  await runDemo();
} catch (error: unknown) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
