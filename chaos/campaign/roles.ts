import { join, resolve } from 'node:path';
import { freePort } from '../../src/dev/ports.js';
import { TcpProxy } from '../../test/support/tcp-proxy.js';
import type { BatonRole } from '../../test/support/acl-agent.js';
import type { Resource } from '../history.js';
import { RoleToken } from './acl.js';
import { hashName, RUN_TAG_VAR, type CampaignContext } from './context.js';
import { ProcessSlot } from './process-slot.js';
import { Prng } from './prng.js';

export const WORKERS_DIR = resolve(import.meta.dirname, '../workers');
const ACT = join(WORKERS_DIR, 'act.mjs');
/** A worker command that forks: the acting process is the supervisor's grandchild. */
export const FORKING_ACT = ['sh', '-c', `"${process.execPath}" "${ACT}" & wait`] as const;

export type RoleKind = 'run' | 'lib' | 'lock' | 'cell' | 'controller';

/** A slot plus what faults need to know about it: its link to Consul (cuttable) and what it guards. */
export interface Role {
  readonly kind: RoleKind;
  readonly slot: ProcessSlot;
  readonly who: string;
  readonly proxy: TcpProxy;
  /** The resource it acts on (a lock executor: the one it is trying now). */
  resource: () => Resource | undefined;
  /** Whether the role forks grandchildren that act (fault `sigkill-grandchild`, frozen-tree `who`s). */
  readonly forks: boolean;
  /** Its own ACL token, if it has one (the victims of fault `acl-revoke`); others send none. */
  readonly token?: RoleToken;
}

/** The environment every campaign process gets. */
export function baseEnv(
  context: CampaignContext,
  who: string,
  consulAddr: string,
  slot: string,
  token?: RoleToken,
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(token === undefined ? {} : { CONSUL_HTTP_TOKEN: token.secret }),
    [RUN_TAG_VAR]: context.runTag,
    CONSUL_HTTP_ADDR: consulAddr,
    CHAOS_WHO: who,
    CHAOS_HISTORY: context.history.fileFor(slot),
    CHAOS_LOG: join(context.history.dir, `${slot}.log`),
    CHAOS_STORE: context.store.url,
    BATON_LOG_LEVEL: 'info',
  };
}

/** A proxy in front of host `index`'s agent, so this one process's link can be blackholed. */
export async function proxyTo(context: CampaignContext, index: number): Promise<TcpProxy> {
  return TcpProxy.start(context.topology.hostAt(index).ports.http);
}

/** A process's own token for `role`, rendered for the node of host `index` (the agent it talks to). */
export function roleToken(
  context: CampaignContext,
  owner: string,
  role: BatonRole,
  index: number,
  vars: Readonly<Record<string, string>>,
  extraRules?: string,
): Promise<RoleToken> {
  return RoleToken.create({
    management: () => context.topology.management(),
    owner,
    role,
    vars: { node: context.topology.hostAt(index).options.nodeName, ...vars },
    ...(extraRules === undefined ? {} : { extraRules }),
  });
}

export function rolePrng(context: CampaignContext, name: string): Prng {
  return new Prng(context.seed ^ hashName(name));
}

/** `baton run` candidates whose command forks; candidate 1 of each singleton drains ~1 s on SIGTERM. */
export async function runCandidates(
  context: CampaignContext,
  singletons: readonly string[],
): Promise<Role[]> {
  const roles: Role[] = [];
  for (const [s, name] of singletons.entries()) {
    for (let c = 1; c <= 3; c += 1) {
      const who = `${name}-c${c}`;
      const proxy = await proxyTo(context, s + c);
      const random = rolePrng(context, who);
      const slot = new ProcessSlot({
        name: who,
        command: () => ({
          file: process.execPath,
          args: [context.cli, 'run', '--singleton', name, '--identity', who, '--', ...FORKING_ACT],
          env: {
            ...baseEnv(context, who, proxy.address, who),
            CHAOS_RESOURCE: `singleton/${name}`,
            CHAOS_DRAIN_MS: c === 1 ? '1000' : '0',
          },
        }),
        restartDelayMs: () => random.int(200, 1_000),
      });
      roles.push({ kind: 'run', slot, who, proxy, resource: () => `singleton/${name}`, forks: true });
    }
  }
  return roles;
}

/**
 * Candidates of a singleton run through the library, whose work does `fencedPut` every ~100 ms. Each has
 * its own singleton-candidate token (fault `acl-revoke`), which also lets it write its fenced key.
 */
export async function libraryCandidates(context: CampaignContext, name: string): Promise<Role[]> {
  const roles: Role[] = [];
  for (let c = 1; c <= 3; c += 1) {
    const who = `${name}-c${c}`;
    const proxy = await proxyTo(context, c);
    const random = rolePrng(context, who);
    const token = await roleToken(
      context,
      who,
      'singleton-candidate',
      c,
      { name },
      `key "chaos/${name}/fenced" {\n  policy = "write"\n}\n`,
    );
    const slot = new ProcessSlot({
      name: who,
      command: () => ({
        file: process.execPath,
        args: [join(WORKERS_DIR, 'lib-singleton.mjs')],
        env: { ...baseEnv(context, who, proxy.address, who, token), CHAOS_SINGLETON: name },
      }),
      restartDelayMs: () => random.int(200, 1_000),
    });
    roles.push({ kind: 'lib', slot, who, proxy, resource: () => `singleton/${name}`, forks: false, token });
  }
  return roles;
}

/** Executors looping `baton lock --try` on a resource chosen per run; each run acts for 0.5–1.5 s. */
export async function lockExecutors(
  context: CampaignContext,
  resources: readonly string[],
  count: number,
): Promise<Role[]> {
  const roles: Role[] = [];
  for (let e = 1; e <= count; e += 1) {
    const who = `lock-e${e}`;
    const proxy = await proxyTo(context, e);
    const random = rolePrng(context, who);
    // Each executor alternates over the resources (from a random start), so every resource keeps being
    // tried: a lock nobody tries has no successor to expect.
    let turn = random.int(0, resources.length - 1);
    let current = resources[turn % resources.length] ?? 'res';
    const slot = new ProcessSlot({
      name: who,
      command: () => {
        turn += 1;
        current = resources[turn % resources.length] ?? 'res';
        return {
          file: process.execPath,
          args: [context.cli, 'lock', '--try', current, '--', ...FORKING_ACT],
          env: {
            ...baseEnv(context, who, proxy.address, who),
            CHAOS_RESOURCE: `lock/${current}`,
            CHAOS_RUN_MS: String(random.int(500, 1_500)),
          },
        };
      },
      restartDelayMs: () => random.int(200, 1_000),
    });
    roles.push({ kind: 'lock', slot, who, proxy, resource: () => `lock/${current}`, forks: true });
  }
  return roles;
}

/** Controller replicas, each serving `/events` over HTTP. */
export async function controllers(
  context: CampaignContext,
  count: number,
): Promise<(Role & { http: string })[]> {
  const roles: (Role & { http: string })[] = [];
  for (let i = 1; i <= count; i += 1) {
    const who = `ctl-${i}`;
    const proxy = await proxyTo(context, i);
    const http = `127.0.0.1:${await freePort()}`;
    const slot = new ProcessSlot({
      name: who,
      command: () => ({
        file: process.execPath,
        args: [context.cli, 'controller', '--http', http, '--identity', who],
        env: baseEnv(context, who, proxy.address, who),
      }),
      restartDelayMs: () => 500,
    });
    roles.push({ kind: 'controller', slot, who, proxy, resource: () => undefined, forks: false, http });
  }
  return roles;
}
