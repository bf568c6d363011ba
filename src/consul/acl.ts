import type { ConsulHttp } from './http.js';
import { z } from 'zod';

export interface AclPolicyCreateOptions {
  /** Unique in the datacenter, e.g. `baton-cell-cell-a`. */
  readonly name: string;
  /** HCL (or JSON) rules, e.g. the text of a file in `manifests/acl/`. */
  readonly rules: string;
  readonly description?: string;
  readonly signal?: AbortSignal;
}

export interface AclTokenCreateOptions {
  /** Names of existing policies the token is linked to. */
  readonly policies: readonly string[];
  readonly description?: string;
  /** Pick the secret yourself (e.g. a token already named in agent config); Consul generates one if omitted. */
  readonly secretId?: string;
  readonly signal?: AbortSignal;
}

const AclPolicyWireSchema = z
  .object({ ID: z.string(), Name: z.string(), Rules: z.string().optional() })
  .transform((wire) => ({ id: wire.ID, name: wire.Name, rules: wire.Rules ?? '' }));

export type AclPolicy = z.infer<typeof AclPolicyWireSchema>;

const AclTokenWireSchema = z
  .object({ AccessorID: z.string(), SecretID: z.string(), Description: z.string().optional() })
  .transform((wire) => ({
    accessorId: wire.AccessorID,
    secretId: wire.SecretID,
    description: wire.Description ?? '',
  }));

export type AclToken = z.infer<typeof AclTokenWireSchema>;

/** `/v1/acl`: just enough to create least-privilege policies and tokens (needs `acl = "write"`). */
export class AclApi {
  readonly #http: ConsulHttp;

  constructor(http: ConsulHttp) {
    this.#http = http;
  }

  async createPolicy(options: AclPolicyCreateOptions): Promise<AclPolicy> {
    const path = '/v1/acl/policy';
    const body = {
      Name: options.name,
      Rules: options.rules,
      ...(options.description === undefined ? {} : { Description: options.description }),
    };
    const response = await this.#http.expectOk({ method: 'PUT', path, body, signal: options.signal });
    return this.#http.parse(AclPolicyWireSchema, response, path);
  }

  async createToken(options: AclTokenCreateOptions): Promise<AclToken> {
    const path = '/v1/acl/token';
    const body = {
      Policies: options.policies.map((name) => ({ Name: name })),
      ...(options.description === undefined ? {} : { Description: options.description }),
      ...(options.secretId === undefined ? {} : { SecretID: options.secretId }),
    };
    const response = await this.#http.expectOk({ method: 'PUT', path, body, signal: options.signal });
    return this.#http.parse(AclTokenWireSchema, response, path);
  }

  /** The token this client sends, as Consul knows it (`/v1/acl/token/self`). */
  async readSelf(signal?: AbortSignal): Promise<AclToken> {
    const path = '/v1/acl/token/self';
    const response = await this.#http.expectOk({ method: 'GET', path, signal });
    return this.#http.parse(AclTokenWireSchema, response, path);
  }

  /** Delete a token by accessor id: every request still sending its secret is refused from then on. */
  async deleteToken(accessorId: string, signal?: AbortSignal): Promise<void> {
    const path = `/v1/acl/token/${encodeURIComponent(accessorId)}`;
    await this.#http.expectOk({ method: 'DELETE', path, signal });
  }
}
