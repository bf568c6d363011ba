import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const FACTS = 'docs/consul-facts.md';

/** Every source file of the trees whose comments cite the facts page. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(repo, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mjs|js)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** `consul-facts §1.5`, `consul-facts.md §3.3, §3.5`: each § number after a mention of the page. */
function citations(text: string): string[] {
  return [...text.matchAll(/consul-facts(?:\.md)?((?:[ ,]*(?:and )?§\d+(?:\.\d+)*)+)/g)].flatMap((match) =>
    [...(match[1] ?? '').matchAll(/§(\d+(?:\.\d+)*)/g)].map((section) => section[1] ?? ''),
  );
}

/** Section numbers of the page's headings: `## 3. Title` is 3, `### 3.5 Title` is 3.5. */
function sections(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.? /gm)].map((match) => match[1] ?? ''));
}

describe(`${FACTS}: every section the code cites is in the repo`, () => {
  const page = sections(readFileSync(join(repo, FACTS), 'utf8'));
  const cited = ['src', 'bench', 'chaos', 'scripts'].flatMap((dir) =>
    sourceFiles(dir).flatMap((file) =>
      citations(readFileSync(file, 'utf8')).map((section) => ({ file: file.slice(repo.length), section })),
    ),
  );

  it('finds the citations (the scan itself works)', () => {
    expect(cited.length).toBeGreaterThan(10);
    expect(citations('see consul-facts.md §3.3, §3.5 and consul-facts §4')).toEqual(['3.3', '3.5', '4']);
  });

  it('has a heading for every cited section', () => {
    const dangling = cited.filter(({ section }) => !page.has(section));
    expect(dangling).toEqual([]);
  });

  it('links Consul documentation for what it states', () => {
    const markdown = readFileSync(join(repo, FACTS), 'utf8');
    expect(markdown).toMatch(/https:\/\/developer\.hashicorp\.com\/consul\/api-docs\/session/);
  });
});
