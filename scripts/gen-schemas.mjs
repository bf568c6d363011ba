#!/usr/bin/env node
// Write schemas/*.schema.json from the zod schemas in the BUILT package (run `npm run build` first;
// `npm run schemas` does both). test/unit/schemas-drift.test.ts fails when the committed files drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemas, renderJsonSchema } from '../dist/api/json-schemas.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'schemas'), { recursive: true });
for (const [file, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(join(root, 'schemas', file), renderJsonSchema(schema));
  process.stdout.write(`wrote schemas/${file}\n`);
}
