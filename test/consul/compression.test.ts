import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsulClient } from '../../src/consul/client.js';

/** What Baton sends, seen by a bare HTTP server (no Consul behaviour is claimed here). */
describe('response compression', () => {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    response.setHeader('x-consul-index', '7');
    response.setHeader('content-type', 'application/json');
    response.end('"leader:8300"');
  });
  let baseUrl = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('asks for an uncompressed answer unless compressResponses is set', async () => {
    await new ConsulClient({ baseUrl }).leader();
    await new ConsulClient({ baseUrl, compressResponses: true }).leader();
    expect(seen.map((headers) => headers['accept-encoding'])).toEqual(['identity', 'gzip']);
  });
});
