import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killLeftovers, startWithToken } from '../support/acl-cli.js';
import { useAclDevAgent } from '../support/acl-agent.js';
import { builtCli } from '../support/cli.js';

const consul = useAclDevAgent();
let cli: string;

beforeAll(async () => {
  cli = await builtCli();
});
afterEach(killLeftovers);
afterAll(killLeftovers);

describe('baton controller whose election Consul refuses', () => {
  it('ends the process with exit 5 and one line naming the denial, instead of serving /healthz forever', async () => {
    // A real token, but for another role: it may run a cell, not campaign for the controller's lock.
    const cellToken = await consul.get().createRoleToken('cell', { cell: 'edge-1' });
    const controller = startWithToken(cli, consul.get().agent.httpAddr, cellToken, [
      'controller',
      '--http',
      '127.0.0.1:0',
    ]);
    const code = await controller.exited;
    const denials = controller
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('baton: Consul denied a permission'));
    expect({ code, denials: denials.length }, controller.stderr()).toEqual({ code: 5, denials: 1 });
  }, 90_000);
});
