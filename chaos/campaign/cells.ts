import { join } from 'node:path';
import { z } from 'zod';
import { monotonicNowMs, type CellLine } from '../history.js';
import { monotonicAtEpoch, type CampaignContext } from './context.js';
import { ProcessSlot } from './process-slot.js';
import { baseEnv, proxyTo, roleToken, rolePrng, WORKERS_DIR, type Role } from './roles.js';

/** What `baton cell` logs (pino JSON lines on stderr) that the history needs. */
const CellLogSchema = z.object({ time: z.number(), msg: z.string(), incarnation: z.string().optional() });

/** How the current workload will end, as the campaign planned or caused it: the truth for the checker. */
type Intent = 'run' | 'clean' | 'crash';

/** A `baton cell` whose workload runs, exits 0, exits non-zero, or is signalled directly. */
export interface CellRole extends Role {
  readonly cell: string;
  readonly hostIndex: number;
  /** The incarnation registered now (undefined between registrations). */
  incarnation(): string | undefined;
  /** The campaign stopped it cleanly or its workload is about to exit 0: no hard kill now. */
  inCleanStop(): boolean;
  /** Record the campaign's own hard kill of this cell (process, tree or host agent). */
  markKilled(): void;
  /** The campaign signals the workload directly: SIGKILL is a crash, SIGTERM a clean stop. */
  markWorkloadSignal(signal: 'SIGKILL' | 'SIGTERM'): void;
}

export interface CellOptions {
  readonly id: string;
  readonly hostIndex: number;
  /** Extra `baton cell` arguments (e.g. ~200 KB of labels for the oversized registration). */
  readonly extraArgs?: readonly string[];
  /** Restart after exit (the population's cells); a one-off cell runs once. */
  readonly respawn: boolean;
  /** Give it its own cell token (fault `acl-revoke`); other cells send none. */
  readonly ownToken?: boolean;
}

export async function startCellRole(context: CampaignContext, options: CellOptions): Promise<CellRole> {
  const { id } = options;
  const proxy = await proxyTo(context, options.hostIndex);
  const random = rolePrng(context, id);
  const token =
    options.ownToken === true
      ? await roleToken(context, id, 'cell', options.hostIndex, { cell: id })
      : undefined;
  let incarnation: string | undefined;
  /**
   * A kill that landed before this process's "cell registered" line was read (the line is still in the
   * pipe): the incarnation it announces was killed too.
   */
  let killedBeforeAnnounced: number | undefined;
  let intent: Intent = 'run';
  let cleanFrom = Infinity;
  const write = (what: CellLine['what'], t: number, of = incarnation): void => {
    if (of !== undefined) context.history.write({ k: 'cell', t, cell: id, incarnation: of, what });
  };
  const onLine = (text: string): void => {
    let parsed;
    try {
      parsed = CellLogSchema.safeParse(JSON.parse(text));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const { msg, time } = parsed.data;
    const t = monotonicAtEpoch(time, monotonicNowMs());
    if (msg === 'cell registered') {
      incarnation = parsed.data.incarnation;
      write('registered', t);
      if (killedBeforeAnnounced !== undefined) write('killed', Math.max(t, killedBeforeAnnounced));
      killedBeforeAnnounced = undefined;
    } else if (msg.startsWith('cell departed')) {
      // Also "cell departed (an earlier attempt committed)": a retried departure whose first try applied.
      write('departed', t, parsed.data.incarnation);
      incarnation = undefined;
    } else if (msg.startsWith('presence session lost')) {
      // While running ("...; registering a new incarnation") or found on a clean stop ("... before the
      // departure"): either way the incarnation's session died while the cell lived.
      write('session-lost', t, parsed.data.incarnation);
      incarnation = undefined;
    } else if (msg.startsWith('clean departure failed')) {
      // Consul refused or could not be reached for the whole departure timeout: the session ends by TTL.
      write('crashed', t);
      incarnation = undefined;
    } else if (msg.startsWith('command failed') && intent === 'crash') {
      write('crashed', t);
    }
  };
  const slot = new ProcessSlot({
    name: id,
    command: () => {
      const plan = random.weighted<Intent>([
        ['run', 6],
        ['clean', 2],
        ['crash', 2],
      ]);
      intent = plan;
      incarnation = undefined;
      killedBeforeAnnounced = undefined;
      const runMs = random.int(3_000, 20_000);
      cleanFrom = plan === 'clean' ? Date.now() + runMs - 500 : Infinity;
      return {
        file: process.execPath,
        args: [
          context.cli,
          'cell',
          '--id',
          id,
          '--address',
          `127.0.0.1:${10_000 + random.int(0, 9_999)}`,
          '--zone',
          `z${options.hostIndex % 2}`,
          ...(options.extraArgs ?? []),
          '--',
          process.execPath,
          join(WORKERS_DIR, 'act.mjs'),
        ],
        env: {
          ...baseEnv(context, id, proxy.address, id, token),
          // Half the workloads die by SIGTERM's default action (exit 143), as most programs do.
          ...(random.next() < 0.5 ? { CHAOS_TERM: 'default' } : {}),
          ...(plan === 'run'
            ? {}
            : { CHAOS_RUN_MS: String(runMs), CHAOS_EXIT_CODE: plan === 'crash' ? '1' : '0' }),
        },
      };
    },
    onStderrLine: onLine,
    ...(options.respawn ? { restartDelayMs: () => random.int(200, 1_000) } : {}),
  });
  return {
    kind: 'cell',
    cell: id,
    hostIndex: options.hostIndex,
    slot,
    who: id,
    proxy,
    resource: () => undefined,
    forks: false,
    ...(token === undefined ? {} : { token }),
    incarnation: () => incarnation,
    inCleanStop: () => slot.stopping || Date.now() >= cleanFrom,
    markKilled: () => {
      if (incarnation === undefined) killedBeforeAnnounced = monotonicNowMs();
      else write('killed', monotonicNowMs());
    },
    markWorkloadSignal: (signal) => {
      intent = signal === 'SIGKILL' ? 'crash' : 'clean';
      if (signal === 'SIGTERM') cleanFrom = Date.now();
    },
  };
}
