import { randomUUID } from 'node:crypto';
import { ConsulClient } from '../../src/consul/client.js';
import {
  aclPolicyTemplate,
  renderAclPolicy,
  type AclPolicyValues,
  type AclRole,
} from '../../src/layout/acl-policy.js';

/**
 * The campaign's Consul runs with ACLs on and `default_policy = "allow"`: every process without a token
 * works as it would with ACLs off, and the victims of the `acl-revoke` fault get a least-privilege token of
 * their own, which the fault deletes mid-term (a deleted token is refused, "ACL not found", whatever the
 * default policy). The campaign itself holds a known initial management token.
 */
export class CampaignAcl {
  readonly managementToken = randomUUID();

  /** For servers and the dev agent: they bootstrap the ACL system with the management token. */
  serverHcl(): string[] {
    return [
      `acl { enabled = true default_policy = "allow" tokens { initial_management = "${this.managementToken}" } }`,
    ];
  }

  /** For client agents: same `acl {}` block; the anonymous token (allow) lets the node register. */
  clientHcl(): string[] {
    return ['acl { enabled = true default_policy = "allow" }'];
  }
}

export interface RoleTokenOptions {
  /** The management client (on a server) that creates and deletes tokens. */
  readonly management: () => ConsulClient;
  /** Names the policy (unique in the campaign's Consul). */
  readonly owner: string;
  readonly role: AclRole;
  /** The manifest's placeholders, `node` included. */
  readonly vars: AclPolicyValues;
  /** Rules added after the manifest's (e.g. the keys a worker writes with `fencedPut`). */
  readonly extraRules?: string;
}

/**
 * One process's own token for its Baton role: the manifest's policy rendered for its node and name, and a
 * token linked to it. `revoke()` deletes the token (looked up by its secret, as the process holds it);
 * `renew()` links a fresh token to the same policy, which the process's next start sends.
 */
export class RoleToken {
  #secret: string;

  private constructor(
    readonly options: RoleTokenOptions,
    readonly policy: string,
    secret: string,
  ) {
    this.#secret = secret;
  }

  static async create(options: RoleTokenOptions): Promise<RoleToken> {
    const rules = [
      renderAclPolicy(aclPolicyTemplate(options.role), options.vars),
      options.extraRules ?? '',
    ].join('\n');
    const policy = `chaos-${options.role}-${options.owner}`;
    await options
      .management()
      .acl.createPolicy({ name: policy, rules, description: `chaos ${options.owner}` });
    const token = await options.management().acl.createToken({ policies: [policy], description: policy });
    return new RoleToken(options, policy, token.secretId);
  }

  /** The secret to send now (`CONSUL_HTTP_TOKEN`). */
  get secret(): string {
    return this.#secret;
  }

  /** Delete the current token: its accessor id from `/v1/acl/token/self`, then a management delete. */
  async revoke(): Promise<void> {
    const management = this.options.management();
    const self = new ConsulClient({ baseUrl: management.address, token: this.#secret });
    const { accessorId } = await self.acl.readSelf();
    await management.acl.deleteToken(accessorId);
  }

  /** Link a fresh token to the same policy; starts from now on send it. */
  async renew(): Promise<void> {
    const token = await this.options
      .management()
      .acl.createToken({ policies: [this.policy], description: this.policy });
    this.#secret = token.secretId;
  }
}
