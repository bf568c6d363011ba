import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * The layer rule (docs/architecture.md): each room of `src/` sits on one layer and imports only rooms on
 * lower layers. Rooms on the same layer stay independent of each other. A room not in this table fails the
 * layer test (`test/repo/layers.test.ts`), so a new room is placed on purpose.
 */
export const LAYERS = [
  ['errors.ts'],
  ['time', 'log'],
  ['api', 'process'],
  ['layout'],
  ['consul'],
  ['store'],
  ['cache'],
  ['runtime'],
  ['session', 'events', 'dev'],
  ['singleton', 'presence', 'http'],
  ['metrics'],
  ['controllers'],
  ['cli', 'demo', 'index.ts'],
];

/** Deepest nesting below a room that the rule covers (`src/room/a/b/c/file.ts`). */
const MAX_DEPTH = 4;

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** How a room is named in an import written from `src/`: a folder `room/...` or a file `room.js`. */
const importTarget = (room) =>
  room.endsWith('.ts') ? `${escapeRegex(room.slice(0, -'.ts'.length))}\\.js$` : `${escapeRegex(room)}/`;

/**
 * One `no-restricted-imports` override per room and depth: an import that climbs back to `src/` and names
 * a room on this layer or above is an upward import. Relative specifiers only: `src/` has no path aliases.
 */
export function layerRules() {
  return LAYERS.flatMap((rooms, level) => {
    const upper = LAYERS.slice(level).flat();
    const lower = LAYERS.slice(0, level).flat();
    return rooms.flatMap((room) => {
      const forbidden = upper.filter((other) => other !== room);
      if (forbidden.length === 0) return [];
      const message =
        `layer rule: ${room} (layer ${level}) imports only lower layers (${lower.join(', ') || 'none'}); ` +
        'see LAYERS in eslint.config.js and docs/architecture.md.';
      const depths = room.endsWith('.ts') ? [0] : Array.from({ length: MAX_DEPTH }, (_, index) => index + 1);
      return depths.map((depth) => ({
        files: [room.endsWith('.ts') ? `src/${room}` : `src/${room}/${'*/'.repeat(depth - 1)}*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              patterns: [
                {
                  regex: `^${depth === 0 ? '\\./' : '(?:\\.\\./)'.concat(`{${depth}}`)}(?:${forbidden.map(importTarget).join('|')})`,
                  message,
                },
              ],
            },
          ],
        },
      }));
    });
  });
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'schemas/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  // Plain JavaScript (config, scripts, fixtures, bench and campaign workers) is linted without types, so
  // it needs no TypeScript project.
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  ...layerRules(),
);
