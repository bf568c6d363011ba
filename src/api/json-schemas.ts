import { z } from 'zod';
import { KINDS } from './kinds.js';

/**
 * The JSON Schemas committed under `schemas/`, one per kind, generated from the zod schemas (the single
 * truth). They describe what an operator may write (zod's input side: defaulted fields are optional).
 */
export function jsonSchemas(): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (const kind of KINDS) {
    files[`${kind.singular}.schema.json`] = {
      ...z.toJSONSchema(kind.schema, { io: 'input', unrepresentable: 'throw' }),
      $id: `https://baton.dev/schemas/v1/${kind.singular}.schema.json`,
      title: kind.kind,
    };
  }
  return files;
}

/** How a schema file is written to disk, so the generator and the drift check agree byte for byte. */
export function renderJsonSchema(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
