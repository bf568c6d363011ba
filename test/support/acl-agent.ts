import { randomUUID } from 'node:crypto';
import {
  aclPolicyTemplate,
  renderAclPolicy,
  type AclPolicyValues,
  type AclRole,
} from '../../src/layout/acl-policy.js';
import { ConsulClient } from '../../src/consul/client.js';
import { ConsulAgentProcess } from '../../src/dev/agent-process.js';
import { agentDisposable, consulBinary, useFixture } from './consul.js';
import { waitFor } from './wait.js';

/** The Baton roles with a policy in manifests/acl/. */
export type BatonRole = AclRole;

export interface AclDevAgentFixture {
  readonly agent: ConsulAgentProcess;
  /** The agent's node name: what `{{node}}` renders to. */
  readonly nodeName: string;
  readonly managementToken: string;
  /** A client with the initial management token. */
  readonly client: ConsulClient;
  /** Render a role's policy, create it and a token linked to it; returns the token's secret. */
  readonly createRoleToken: (role: BatonRole, vars?: AclPolicyValues) => Promise<string>;
  /** A client that sends `token`. */
  readonly clientWith: (token: string) => ConsulClient;
}

/**
 * A real Consul dev agent with ACLs enabled and default deny, for the calling test file. The agent token
 * is created once the servers are up with node write on its own node (anti-entropy registers the node
 * and its checks) and service read, as Consul documents for agent tokens.
 */
export function useAclDevAgent(): { get(): AclDevAgentFixture } {
  return useFixture(
    async (): Promise<AclDevAgentFixture> => {
      const managementToken = randomUUID();
      const agentToken = randomUUID();
      const nodeName = `acl-${randomUUID().slice(0, 8)}`;
      const agent = await ConsulAgentProcess.start({
        binary: consulBinary(),
        nodeName,
        mode: 'dev',
        extraHcl: [
          `acl { enabled = true default_policy = "deny" enable_token_persistence = true ` +
            `tokens { initial_management = "${managementToken}" agent = "${agentToken}" } }`,
        ],
      });
      // The anonymous token cannot read the catalog: check the node with the management token below.
      await agent.waitReady({ requireNode: false });
      const client = new ConsulClient({ baseUrl: agent.httpAddr, token: managementToken });
      await client.acl.createPolicy({
        name: 'consul-agent',
        rules: `node "${nodeName}" { policy = "write" }\nservice_prefix "" { policy = "read" }`,
      });
      await client.acl.createToken({
        policies: ['consul-agent'],
        secretId: agentToken,
        description: 'agent',
      });
      await waitFor(() => client.nodeRegistered(nodeName), { message: `node ${nodeName} not registered` });
      return {
        agent,
        nodeName,
        managementToken,
        client,
        clientWith: (token) => new ConsulClient({ baseUrl: agent.httpAddr, token }),
        createRoleToken: async (role, vars = {}) => {
          const rules = renderAclPolicy(aclPolicyTemplate(role), { node: nodeName, ...vars });
          const name = `baton-${role}-${randomUUID().slice(0, 8)}`;
          await client.acl.createPolicy({
            name,
            rules,
            description: `Baton ${role} ${JSON.stringify(vars)}`,
          });
          return (await client.acl.createToken({ policies: [name], description: name })).secretId;
        },
      };
    },
    (fixture) => agentDisposable(fixture.agent),
  );
}
