import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchemas, renderJsonSchema } from '../../src/api/json-schemas.js';

const dir = new URL('../../schemas/', import.meta.url);

describe('schemas/ matches the zod schemas', () => {
  const generated = jsonSchemas();

  it.each(Object.keys(generated))('%s is up to date', (file) => {
    let committed: string;
    try {
      committed = readFileSync(new URL(file, dir), 'utf8');
    } catch {
      throw new Error(`schemas/${file} is missing: run npm run schemas`);
    }
    expect(committed, `schemas/${file} drifted from src/api: run npm run schemas`).toBe(
      renderJsonSchema(generated[file]),
    );
  });

  it('holds no stale files', () => {
    const stale = readdirSync(dir).filter((file) => !(file in generated));
    expect(stale, 'schemas/ holds files no kind generates: delete them and run npm run schemas').toEqual([]);
  });
});
