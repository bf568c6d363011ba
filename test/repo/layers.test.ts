import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const configUrl = pathToFileURL(`${repo}eslint.config.js`).href;

interface LayerTable {
  readonly LAYERS: readonly (readonly string[])[];
  readonly layerRules: () => Linter.Config[];
}
const { LAYERS, layerRules } = (await import(configUrl)) as LayerTable;

const LAYER_RULE = 'no-restricted-imports';

/** Lints `code` as if it were the file at `filePath`, with the project's whole ESLint config. */
async function layerMessages(eslint: ESLint, code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === LAYER_RULE).map((m) => m.message);
}

describe('the layer rule (LAYERS in eslint.config.js)', () => {
  it('places every room of src/ on exactly one layer', () => {
    const rooms = readdirSync(`${repo}src`, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || entry.name.endsWith('.ts'))
      .map((entry) => entry.name);
    const placed = LAYERS.flat();
    expect(new Set(placed).size).toBe(placed.length);
    expect(rooms.filter((room) => !placed.includes(room))).toEqual([]);
  });

  it('finds no upward import in src/ today', async () => {
    const eslint = new ESLint({
      cwd: repo,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...layerRules()],
    });
    const results = await eslint.lintFiles(['src']);
    expect(results.length).toBeGreaterThan(100);
    const found = results.flatMap((result) =>
      result.messages.map((message) => `${result.filePath}:${message.line}: ${message.message}`),
    );
    expect(found).toEqual([]);
  });

  it('fails an upward import, a sibling import and a top-level upward import; allows downward ones', async () => {
    // The project's own config, type-aware rules included: what `npm run lint` runs.
    const eslint = new ESLint({ cwd: repo });
    const cases: readonly { what: string; filePath: string; code: string; errors: number }[] = [
      {
        what: 'consul/ importing controllers/',
        filePath: 'src/consul/kv.ts',
        code: "import { BatonController } from '../controllers/baton-controller.js';\nexport const c = BatonController;\n",
        errors: 1,
      },
      {
        what: 'a nested file of controllers/ importing cli/',
        filePath: 'src/controllers/status-page/html.ts',
        code: "import { runCli } from '../../cli/program.js';\nexport const r = runCli;\n",
        errors: 1,
      },
      {
        what: 'singleton/ importing its sibling presence/',
        filePath: 'src/singleton/fencing.ts',
        code: "import type { Cell } from '../presence/cell.js';\nexport type C = Cell;\n",
        errors: 1,
      },
      {
        what: 'errors.ts re-exporting time/',
        filePath: 'src/errors.ts',
        code: "export type { Clock } from './time/clock.js';\n",
        errors: 1,
      },
      {
        what: 'cli/ importing consul/ and layout/ (downward)',
        filePath: 'src/cli/commands/get.ts',
        code:
          "import { ConsulClient } from '../../consul/client.js';\nimport { KvLayout } from '../../layout/kv-layout.js';\n" +
          'export const d = [ConsulClient, KvLayout];\n',
        errors: 0,
      },
    ];
    for (const { what, filePath, code, errors } of cases) {
      const messages = await layerMessages(eslint, code, filePath);
      expect(messages, what).toHaveLength(errors);
      for (const message of messages)
        expect(message).toMatch(/layer rule: \S+ \(layer \d+\) imports only lower layers/);
    }
  }, 120_000);
});
