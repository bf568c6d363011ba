import { beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../support/cli.js';
import { runBaton } from '../support/cli-run.js';
import { useAclDevAgent } from '../support/acl-agent.js';

const acl = useAclDevAgent();

beforeAll(async () => {
  await builtCli();
});

describe('get on a default-deny ACL agent', () => {
  it('without a token, an empty answer is not "No singletons found.": a hint and exit 5', async () => {
    const { agent, client, managementToken } = acl.get();
    await client.kv.put('baton/v1/singletons/hidden/spec', '{}');
    const env = { CONSUL_HTTP_ADDR: agent.httpAddr };
    for (const type of ['singletons', 'cells', 'locks']) {
      const get = await runBaton(['get', type], env);
      expect(get.status).toBe(5);
      expect(get.stderr).toMatch(
        /^baton: nothing listed, but Consul's ACLs deny by default and no token was given, so baton\/v1\/\w+\/ may be hidden/,
      );
      expect(get.stderr.trim().split('\n')).toHaveLength(1);
    }
    // With a token the answer is trusted: the (invalid) record shows, and an empty kind is just empty.
    const withToken = await runBaton(['get', 'cells'], { ...env, CONSUL_HTTP_TOKEN: managementToken });
    expect(withToken.status).toBe(0);
    expect(withToken.stderr).toContain('No cells found.');
  });
});
