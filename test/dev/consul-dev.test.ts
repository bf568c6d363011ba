import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';
import { freePort } from '../../src/dev/ports.js';
import { baton } from '../support/cli.js';
import { consulBinary } from '../support/consul.js';
import { waitFor } from '../support/wait.js';
import { CLI } from '../support/workers.js';

describe('baton consul-dev and baton version', () => {
  it('consul-dev starts a real dev agent, prints its address, and stops it on Ctrl-C', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'consul-dev', '--http-port', String(port)], {
      env: { ...process.env, CONSUL_BIN: consulBinary() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await waitFor(() => stdout.includes('export CONSUL_HTTP_ADDR='), { timeoutMs: 60_000 });
    expect(stdout).toContain(`export CONSUL_HTTP_ADDR=http://127.0.0.1:${port}`);
    const client = new ConsulClient({ baseUrl: `http://127.0.0.1:${port}` });
    expect(await client.leader()).toBeDefined();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(client.leader()).rejects.toMatchObject({ code: 'CONSUL_UNREACHABLE' });
  });

  it('version names the pinned Consul release', () => {
    const result = baton(['version'], {});
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^baton \d+\.\d+\.\d+\nconsul 1\.22\.7 /);
  });

  it('a bad --http-port is a usage error', () => {
    const result = baton(['consul-dev', '--http-port', 'eighty'], {});
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--http-port must be a port number/);
  });
});
