// npm run bench:presence: CellLost latency, false losses, watcher cost and Consul load for N cells.
// Pooled sizes run 10 pool processes, each on its own Consul client agent joined to the server (a "host").
// Env: BENCH_SIZES (default "10,100"; `npm run bench:presence:1000` runs N=1000 at a 2 s heartbeat; 10 runs as separate `baton cell` processes), BENCH_CHECK_TTL_MS,
// BENCH_HEARTBEAT_MS (default CELL_DEFAULTS), BENCH_STEADY_MS (default 10000).
import { fork, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsulAgentProcess } from '../dist/dev/agent-process.js';
import { locateConsul } from '../dist/dev/consul-binary.js';
import { CELL_DEFAULTS } from '../dist/presence/defaults.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, '../dist/cli/main.js');
const SIZES = (process.env.BENCH_SIZES ?? '10,100').split(',').map(Number);
const CHECK_TTL_MS = Number(process.env.BENCH_CHECK_TTL_MS ?? CELL_DEFAULTS.checkTtlMs);
const HEARTBEAT_MS = Number(process.env.BENCH_HEARTBEAT_MS ?? CELL_DEFAULTS.heartbeatIntervalMs);
const STEADY_MS = Number(process.env.BENCH_STEADY_MS ?? 10_000);
const POLL_PERIOD_MS = 30_000;
const POOLS = 10;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line) => process.stderr.write(`[bench] ${line}\n`);

async function until(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
}

/** Request/response over IPC with a child that answers `{ type }` messages. */
function ask(child, type, extra = {}) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message.type === type || (type === 'depart' && message.type === 'departed')) {
        child.off('message', onMessage);
        resolve(message);
      }
    };
    child.on('message', onMessage);
    child.send({ type, ...extra });
  });
}

function forkReady(script, env) {
  const child = fork(join(HERE, script), [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve) => child.once('message', () => resolve(child)));
}

async function runScenario(binary, n) {
  const separate = n <= 10;
  // All cells share one loopback IP here (on real hosts each cell has its own): lift the per-client cap.
  const agent = await ConsulAgentProcess.start({
    binary,
    nodeName: `bench-${n}`,
    mode: 'dev',
    extraHcl: ['limits { http_max_conns_per_client = 10000 }'],
  });
  await agent.waitReady();
  const env = { BENCH_CONSUL: agent.httpAddr };
  const events = [];
  const watcher = await forkReady('presence-watcher-process.mjs', env);
  watcher.on('message', (m) => m.type === 'event' && events.push(m));
  const count = (type, ids) =>
    events.filter((e) => e.type_ === type && (ids === undefined || ids.has(e.id))).length;

  // Register.
  const ids = Array.from({ length: n }, (_, i) => `p${i % POOLS}-c${String(i).padStart(5, '0')}`);
  const byPool = Array.from({ length: POOLS }, (_, p) => ids.filter((id) => id.startsWith(`p${p}-`)));
  const startedAt = Date.now();
  let pools = [];
  let hostAgents = [];
  let procs = [];
  if (separate) {
    procs = ids.map((id, i) =>
      spawn(
        process.execPath,
        [
          CLI,
          'cell',
          '--id',
          id,
          '--address',
          `10.0.0.${i + 1}:7777`,
          '--check-ttl',
          `${CHECK_TTL_MS}ms`,
          '--heartbeat',
          `${HEARTBEAT_MS}ms`,
          '--',
          process.execPath,
          '-e',
          'setInterval(() => {}, 1000)',
        ],
        {
          env: { ...process.env, CONSUL_HTTP_ADDR: agent.httpAddr, BATON_LOG_LEVEL: 'warn' },
          stdio: 'ignore',
          detached: true,
        },
      ),
    );
    for (const p of procs) children.add(p.pid);
  } else {
    // Each pool is one "host" with its own Consul client agent, as cells are deployed: a cell's TTL check
    // lives on its local agent, and one agent holding every check of the fleet is not a real topology.
    hostAgents = await Promise.all(
      byPool.map((_, p) =>
        ConsulAgentProcess.start({
          binary,
          nodeName: `bench-${n}-host-${p}`,
          mode: 'client',
          join: [agent.serfLanAddr],
          extraHcl: ['limits { http_max_conns_per_client = 10000 }'],
        }),
      ),
    );
    await Promise.all(hostAgents.map((host) => host.waitReady({ timeoutMs: 60_000 })));
    pools = await Promise.all(
      hostAgents.map((host) => forkReady('presence-pool-process.mjs', { BENCH_CONSUL: host.httpAddr })),
    );
    pools.forEach((pool, p) =>
      pool.send({
        type: 'start',
        pool: p,
        poolPrefix: `p${p}-`,
        ids: byPool[p],
        checkTtlMs: CHECK_TTL_MS,
        heartbeatMs: HEARTBEAT_MS,
      }),
    );
  }
  const allRegistered = await until(() => count('CellRegistered') >= n, 180_000);
  const registerMs = Date.now() - startedAt;
  log(`N=${n}: ${count('CellRegistered')} registered in ${registerMs} ms`);

  // Steady state: requests per second from the watcher and from the cells' heartbeats.
  await sleep(2_000);
  const cellRequests = async () =>
    (await Promise.all(pools.map((p) => ask(p, 'stats')))).reduce((s, m) => s + m.requests, 0);
  const w0 = await ask(watcher, 'stats');
  const c0 = await cellRequests();
  await sleep(STEADY_MS);
  const w1 = await ask(watcher, 'stats');
  const c1 = await cellRequests();
  const steadySeconds = (w1.at - w0.at) / 1000;
  const eventsBeforeKill = events.length;

  // Hard kill 10 %: one pool process (or one separate cell process group) with SIGKILL.
  const current = () => {
    const map = new Map();
    for (const e of events) if (e.type_ === 'CellRegistered') map.set(e.id, e.incarnation);
    return map;
  };
  const killed = new Set(separate ? [ids[0]] : byPool[0]);
  const atKill = current();
  const killedInc = new Set([...killed].map((id) => `${id}/${atKill.get(id)}`));
  const killAt = Date.now();
  if (separate) process.kill(-procs[0].pid, 'SIGKILL');
  else pools[0].kill('SIGKILL');
  await until(() => count('CellLost', killed) >= killed.size, 30_000);

  // Clean departures: SIGTERM the other separate cells, or ask one more pool to stop its cells.
  const departing = new Set(separate ? ids.slice(1) : byPool[1]);
  const atDeparture = current();
  const departingInc = new Set([...departing].map((id) => `${id}/${atDeparture.get(id)}`));
  const inc = (e) => `${e.id}/${e.incarnation}`;
  if (separate) for (const p of procs.slice(1)) p.kill('SIGTERM');
  else void ask(pools[1], 'depart');
  await until(() => count('CellDeparted', departing) >= departing.size, 30_000);
  await sleep(3_000); // room for a wrong CellLost to show up
  const w2 = await ask(watcher, 'stats');

  // Latency from kill to the pushed event; and what a 30 s full-listing poll would have seen.
  const lostAt = new Map();
  for (const e of events)
    if (e.type_ === 'CellLost' && killedInc.has(inc(e)) && !lostAt.has(inc(e))) lostAt.set(inc(e), e.at);
  const push = summary([...lostAt.values()].map((at) => at - killAt));
  const pollSamples = [];
  for (const at of lostAt.values()) {
    for (let phase = 0; phase < POLL_PERIOD_MS; phase += 100) {
      pollSamples.push(at - killAt + ((phase - (at % POLL_PERIOD_MS) + POLL_PERIOD_MS) % POLL_PERIOD_MS));
    }
  }
  const poll = summary(pollSamples);
  const lostEvents = events.filter((e) => e.type_ === 'CellLost');
  const result = {
    n,
    mode: separate ? 'separate baton cell processes' : `${POOLS} processes x ${n / POOLS} cells`,
    checkTtlMs: CHECK_TTL_MS,
    heartbeatMs: HEARTBEAT_MS,
    allRegistered,
    registerMs,
    killed: killed.size,
    cellLostLatencyMs: push,
    pollBaselineLatencyMs: poll,
    missingCellLost: [...killedInc].filter((key) => !lostAt.has(key)).length,
    duplicateEvents: duplicates(events),
    cleanDepartures: departing.size,
    cellDeparted: events.filter((e) => e.type_ === 'CellDeparted' && departingInc.has(inc(e))).length,
    falseCellLostOnDeparture: lostEvents.filter((e) => departingInc.has(inc(e))).length,
    // Live cells whose session really expired (heartbeats starved on this shared 2-core host): each is
    // a true CellLost of that incarnation, followed by CellRegistered of a new one.
    unexpectedCellLost: lostEvents.filter((e) => !killedInc.has(inc(e)) && !departingInc.has(inc(e))).length,
    loadAverage: (await import('node:os')).loadavg(),
    eventsDuringSteadyState: eventsBeforeKill - n,
    watcher: {
      cpuPercentSteady: cpuPercent(w0, w1),
      cpuPercentWholeRun: ((w2.cpu.user + w2.cpu.system) / 1000 / (w2.at - startedAt)) * 100,
      peakRssMb: w2.peakRssBytes / 1e6,
      requestsPerSecondSteady: (w1.requests - w0.requests) / steadySeconds,
    },
    cells: separate
      ? { requestsPerSecondSteady: NaN, note: 'separate processes: not counted' }
      : { requestsPerSecondSteady: (c1 - c0) / steadySeconds, perCell: (c1 - c0) / steadySeconds / n },
  };

  watcher.send({ type: 'exit' });
  for (const pool of pools) pool.kill('SIGKILL');
  for (const p of procs) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.all(hostAgents.map((host) => host.dispose()));
  await agent.dispose();
  return result;
}

/** Any (type, cell, incarnation) delivered twice. */
function duplicates(events) {
  const seen = new Set();
  let dup = 0;
  for (const e of events) {
    const key = `${e.type_}/${e.id}/${e.incarnation}`;
    if (seen.has(key)) dup += 1;
    seen.add(key);
  }
  return dup;
}

function cpuPercent(a, b) {
  return ((b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1000 / (b.at - a.at)) * 100;
}

const f = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

function table(results) {
  const rows = [
    ['N (cells)', (r) => `${r.n}`],
    ['mode', (r) => r.mode],
    ['killed (SIGKILL)', (r) => `${r.killed}`],
    [
      'CellLost latency median / p99 / max (ms)',
      (r) =>
        `${f(r.cellLostLatencyMs.median)} / ${f(r.cellLostLatencyMs.p99)} / ${f(r.cellLostLatencyMs.max)}`,
    ],
    [
      '30 s poll baseline median / p99 / max (ms)',
      (r) =>
        `${f(r.pollBaselineLatencyMs.median)} / ${f(r.pollBaselineLatencyMs.p99)} / ${f(r.pollBaselineLatencyMs.max)}`,
    ],
    ['missing / duplicate events', (r) => `${r.missingCellLost} / ${r.duplicateEvents}`],
    [
      'clean departures -> CellDeparted / false CellLost',
      (r) => `${r.cleanDepartures} -> ${r.cellDeparted} / ${r.falseCellLostOnDeparture}`,
    ],
    ['session expiries of live cells (CellLost + new incarnation)', (r) => `${r.unexpectedCellLost}`],
    ['registration of all cells (ms)', (r) => `${r.registerMs}`],
    [
      'watcher CPU steady / whole run (% of a core)',
      (r) => `${f(r.watcher.cpuPercentSteady, 2)} / ${f(r.watcher.cpuPercentWholeRun, 1)}`,
    ],
    ['watcher peak RSS (MB)', (r) => f(r.watcher.peakRssMb, 0)],
    ['watcher Consul requests/s (steady)', (r) => f(r.watcher.requestsPerSecondSteady, 2)],
    [
      'cell heartbeat requests/s (steady, per cell)',
      (r) =>
        Number.isFinite(r.cells.requestsPerSecondSteady)
          ? `${f(r.cells.requestsPerSecondSteady)} (${f(r.cells.perCell, 2)})`
          : '-',
    ],
  ];
  const lines = [
    `| metric | ${results.map((r) => `N=${r.n}`).join(' | ')} |`,
    `|---|${results.map(() => '---').join('|')}|`,
  ];
  for (const [name, cell] of rows) lines.push(`| ${name} | ${results.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

const children = new Set();
process.on('exit', () => {
  for (const pid of children) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
const binary = await locateConsul({ log });
const started = Date.now();
const results = [];
for (const n of SIZES) results.push(await runScenario(binary.path, n));
const out = table(results);
process.stdout.write(
  `\nPresence benchmark (Consul ${binary.version} dev agent, ${CHECK_TTL_MS} ms check TTL, ${HEARTBEAT_MS} ms heartbeat, ${Math.round((Date.now() - started) / 1000)} s)\n\n${out}\n`,
);
mkdirSync(join(HERE, 'results'), { recursive: true });
const file = join(HERE, 'results', `presence-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ consul: binary.version, cpus: (await import('node:os')).cpus().length, results }, null, 2)}\n`,
);
process.stdout.write(`\nJSON: ${file}\n`);
process.exit(0);
