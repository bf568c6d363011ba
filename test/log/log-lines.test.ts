import { describe, expect, it } from 'vitest';
import { LONG_RUNNING, startCli, type CliProcess } from '../support/built-cli.js';
import { uniquePrefix, useDevAgent } from '../support/consul.js';
import { waitFor } from '../support/wait.js';
import { CLI } from '../support/workers.js';

const consul = useDevAgent();

/** The keys an object in `json` repeats (`"a.b"` paths), found by scanning tokens: JSON.parse keeps the last silently. */
function duplicateKeys(json: string): string[] {
  const stack: { keys?: Set<string>; expectKey: boolean; path: string; lastKey?: string }[] = [];
  const found: string[] = [];
  for (const [token] of json.matchAll(/"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^\s{}[\]:,"]+/g)) {
    const top = stack.at(-1);
    if (token === '{' || token === '[') {
      const path = top?.lastKey === undefined ? (top?.path ?? '') : `${top.path}${top.lastKey}.`;
      stack.push(token === '{' ? { keys: new Set(), expectKey: true, path } : { expectKey: false, path });
    } else if (token === '}' || token === ']') stack.pop();
    else if (token === ',') {
      if (top?.keys !== undefined) top.expectKey = true;
    } else if (token.startsWith('"') && top?.keys !== undefined && top.expectKey) {
      const key = JSON.parse(token) as string;
      if (top.keys.has(key)) found.push(`${top.path}${key}`);
      top.keys.add(key);
      top.lastKey = key;
      top.expectKey = false;
    }
  }
  return found;
}

function logLines(cli: CliProcess): Record<string, unknown>[] {
  return cli
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      expect(duplicateKeys(line), line).toEqual([]);
      return JSON.parse(line) as Record<string, unknown>;
    });
}

describe('log lines of the CLI at debug level', () => {
  it('checks itself: the scanner finds a repeated key', () => {
    expect(duplicateKeys('{"a":1,"b":{"c":[{"d":1}],"c":2},"a":3}')).toEqual(['b.c', 'a']);
    expect(duplicateKeys('{"a":"{\\"a\\":1}","b":[1,{"a":2}]}')).toEqual([]);
  });

  it('a controller and a worker write no line with a duplicate key; error lines keep err.code', async () => {
    const { agent } = consul.get();
    const address = `127.0.0.1:${agent.ports.http}`;
    const root = ['--root', uniquePrefix('logs')];
    const controller = startCli(CLI, address, [...root, 'controller', '--identity', 'c1']);
    const worker = startCli(CLI, address, [...root, 'run', '--singleton', 'logged', '--', ...LONG_RUNNING]);
    // Nobody listens on port 1: the campaign fails with CONSUL_UNREACHABLE and retries.
    const cutOff = startCli(CLI, '127.0.0.1:1', [
      ...root,
      'run',
      '--singleton',
      'logged',
      '--',
      ...LONG_RUNNING,
    ]);
    try {
      await waitFor(() => controller.stderr().includes('controller caches synced'), { timeoutMs: 60_000 });
      await waitFor(() => worker.stderr().includes('worker started'), { timeoutMs: 60_000 });
      await waitFor(() => cutOff.stderr().includes('campaign error'), { timeoutMs: 60_000 });
    } finally {
      for (const cli of [controller, worker, cutOff]) cli.child.kill('SIGTERM');
      await Promise.all([controller.exited, worker.exited, cutOff.exited]);
    }
    const lines = [controller, worker, cutOff].flatMap(logLines);
    expect(lines.length).toBeGreaterThan(10);
    const errorLines = lines.filter((line) => line['err'] !== undefined);
    expect(errorLines.length).toBeGreaterThan(0);
    for (const line of errorLines) {
      expect(line['err'], JSON.stringify(line)).toMatchObject({
        code: expect.any(String) as unknown,
        stack: expect.any(String) as unknown,
      });
    }
    expect(errorLines.map((line) => (line['err'] as { code: string }).code)).toContain('CONSUL_UNREACHABLE');
  }, 180_000);
});
