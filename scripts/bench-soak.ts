/**
 * npm run bench:soak: the server `npm start` runs (dist/sightline.js, pinned
 * to core 0 with taskset), under a minute or more of continuous, realistic
 * tracker traffic (wrk on core 1, 64 connections by default), while its
 * owner keeps its report page open. The traffic (scripts/soak-traffic.ts)
 * is many visitors at once: each with a public address of its own (in
 * X-Forwarded-For, the server trusting 127.0.0.1 as its proxy) and one of
 * some 5,000 real-looking User-Agents, visiting a few hundred pages from
 * dozens of referrers and campaigns, with engaged-time, outbound, download
 * and custom-event beacons.
 *
 * The load runs in windows of 10 s (wrk started again at once for each, so
 * it pauses only for the few milliseconds between runs), after a 3 s
 * warm-up. Meanwhile this process fetches GET /site/ID as the signed-in
 * owner once a second (period=today and 30d in turns) and times it, and
 * samples the server's RSS (/proc/PID/status) every 200 ms. Per window it
 * prints events/s, the ratio to bare Hono, wrk's p99, the report page's
 * p50, the server's peak RSS and the non-2xx answers. When the load stops,
 * it polls the JSON API (up to 120 s) until the site's page views there
 * equal the page view rows stored, and says how long that took.
 *
 * The baseline is bare Hono (scripts/bench-bare.ts) on the same core with
 * the same requests, measured for one window before the soak and one after
 * it (after the catch-up, with the server stopped), never between windows,
 * which would rest the server: every window's ratio is against the mean of
 * those two rounds, both printed.
 *
 * Targets, on SQLite, where a miss exits 1: a ratio ≥ 0.75 in every window,
 * the server's RSS ≤ 200 MiB at its peak (warm-up and catch-up included),
 * the report page's p50 ≤ 250 ms in every window, and page views exact
 * after the load stops. The same figures on PostgreSQL too when
 * TEST_DATABASE_URL is set, without targets.
 *
 * With --collector it runs dist/collector.js instead (no dashboard, no
 * engine, no report fetches), to tell the collector's share of the cost
 * from the rest; nothing is enforced then.
 *
 *   npm run bench:soak -- --seconds 60 --connections 64 --window 10 [--collector]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTestSettings } from '../core/config.js';
import { createScratchStore, type ScratchStore } from '../core/db/scratch.js';
import { load } from './bench-common.js';
import { type Account, account, catchUp } from './bench-soak/account.js';
import { type ReportFetch, summarize, type Window } from './bench-soak/figures.js';
import {
  COLLECTOR_ONLY,
  CONNECTIONS,
  ENTRY,
  f0,
  f1,
  f2,
  peakMib,
  REPORT_EVERY_MS,
  RSS_EVERY_MS,
  sleep,
  WARMUP_SECONDS,
  WINDOW,
  WINDOWS,
} from './bench-soak/options.js';
import { childPids, Sampler, serverPid } from './bench-soak/probes.js';
import { ensureWrk, wrk } from './bench-soak/wrk.js';
import { startProcess } from './server.js';
import { userAgents } from './soak-agents.js';
import { writeTrafficScript } from './soak-traffic.js';

/** Soaks one store; false when `enforce` and a target was missed. */
async function soak(label: string, store: ScratchStore, bareUrl: string, enforce: boolean): Promise<boolean> {
  const who = await account(store);
  const script = writeTrafficScript(dir, who.siteId, agents);
  let seed = 1;
  const nextSeed = () => seed++;
  const bareBefore = await wrk(bareUrl, script, WINDOW, nextSeed());

  const before = childPids();
  const server = await startProcess(['--enable-source-maps', ENTRY], { DATABASE_URL: store.url, TRUSTED_PROXIES: '127.0.0.1' }, 0);
  let stopped = false;
  // Stopped in the end whatever happens: their loops would keep this process alive.
  const samplers: Array<{ stop(): Promise<void> }> = [];
  try {
    const pid = serverPid(before);
    const affinity = readFileSync(`/proc/${pid}/status`, 'utf8').match(/Cpus_allowed_list:\s*(\S+)/)?.[1] ?? '?';
    console.log(`${label}: server pid ${pid} (node, cores ${affinity}), site ${who.siteId}, ${store.url.replace(/\/\/[^@]*@/, '//…@')}`);
    const rss = rssSampler(pid);
    const reports = reportSampler(server.origin, who);
    samplers.push(rss, reports);

    const windows = await runWindows(label, `${server.origin}/api/event`, script, nextSeed, rss);
    await reports.stop();

    const caughtUp = COLLECTOR_ONLY ? undefined : await catchUp(label, store, server.origin, who);
    await rss.stop();
    const exit = await server.stop();
    stopped = true;
    const bareAfter = await wrk(bareUrl, script, WINDOW, nextSeed());
    return await summarize(label, store, who, { windows, reports, rss, bareBefore, bareAfter, caughtUp, exit }, enforce);
  } finally {
    for (const sampler of samplers) await sampler.stop();
    if (!stopped) await server.stop();
  }
}

/** The server's RSS in KiB, from /proc, until the process ends. */
function rssSampler(pid: number): Sampler<number> {
  return new Sampler<number>(RSS_EVERY_MS, async () => {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
    } catch {
      return undefined; // the process has ended
    }
  });
}

/** The owner's report page, fetched and timed (period=today and 30d in turns); none with --collector. */
function reportSampler(origin: string, who: Account): Sampler<ReportFetch> {
  let turn = 0;
  return new Sampler<ReportFetch>(REPORT_EVERY_MS, async () => {
    if (COLLECTOR_ONLY) return undefined;
    const period = turn++ % 2 === 0 ? 'today' : '30d';
    const started = performance.now();
    let status = 0;
    try {
      // Manual redirects: a lost session would answer 302 to the login page, quickly.
      const res = await fetch(`${origin}/site/${who.siteId}?period=${period}`, {
        headers: { cookie: who.cookie },
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      status = 0;
    }
    return { ms: performance.now() - started, status, period };
  });
}

/** The warm-up, then the windows of load, back to back, each with a progress line. */
async function runWindows(label: string, url: string, script: string, nextSeed: () => number, rss: Sampler<number>): Promise<Window[]> {
  const windows: Window[] = [];
  const warmStart = performance.now();
  const warmRun = await wrk(url, script, WARMUP_SECONDS, nextSeed());
  windows.push({ label: 'warm-up', from: warmStart, to: performance.now(), run: warmRun });
  for (let i = 1; i <= WINDOWS; i++) {
    const from = performance.now();
    const run = await wrk(url, script, WINDOW, nextSeed());
    const to = performance.now();
    // Progress only: the table below adds the ratio, and the report fetches still in flight.
    console.log(
      `${label}: window ${i}/${WINDOWS}: ${f0(run.perSecond)} events/s, p99 ${f2(run.p99ms)} ms, peak RSS ${f1(peakMib(rss.between(from, to)))} MiB, ${run.non2xx} non-2xx, ${run.socketErrors} socket errors`,
    );
    windows.push({ label: `${i}: ${((from - warmStart) / 1000).toFixed(0)}–${((to - warmStart) / 1000).toFixed(0)} s`, from, to, run });
  }
  return windows;
}

/**
 * A scratch schema, tried again a few times: Kysely's migrator takes a
 * kysely_migration_lock table in any schema for its own, so creating one
 * fails while tests beside us have theirs half made.
 */
async function postgresScratch(url: string): Promise<ScratchStore> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createScratchStore(url);
    } catch (error) {
      if (attempt === 5) throw error;
      console.log(`bench:soak: no PostgreSQL scratch schema (${error instanceof Error ? error.message : String(error)}); again in 3 s`);
      await sleep(3000);
    }
  }
}

ensureWrk();
const agents = userAgents();
const dir = mkdtempSync(join(tmpdir(), 'sightline-soak-'));
console.log(
  `bench:soak: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${load()}; ` +
    `${WINDOWS} windows of ${WINDOW} s, wrk with ${CONNECTIONS} connections on core 1, servers on core 0; ` +
    `${agents.length} User-Agents, none a bot to isbot`,
);
let failed = false;
try {
  const bare = await startProcess(['scripts/run-ts.mjs', 'scripts/bench-bare.ts', '{port}'], {}, 0);
  try {
    const bareUrl = `${bare.origin}/api/event`;
    // The bare server's JIT warm-up, with requests of the same size as the soak's.
    await wrk(bareUrl, writeTrafficScript(dir, 1, agents), WARMUP_SECONDS, 0);
    const targets: Array<[string, string]> = [['SQLite', 'sqlite']];
    const postgresUrl = loadTestSettings().postgresUrl;
    if (postgresUrl !== undefined) targets.push(['PostgreSQL', postgresUrl]);
    else console.log('bench:soak: PostgreSQL skipped: TEST_DATABASE_URL is not set');
    for (const [label, where] of targets) {
      const store = where === 'sqlite' ? await createScratchStore('sqlite') : await postgresScratch(where);
      try {
        console.log('');
        if (!(await soak(label, store, bareUrl, where === 'sqlite'))) failed = true;
      } finally {
        await store.dispose();
      }
    }
  } finally {
    await bare.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `\nbench:soak: load average ${load()}; ${COLLECTOR_ONLY ? 'the collector alone: nothing enforced' : failed ? 'BELOW TARGET' : 'on target'}`,
);
process.exitCode = failed ? 1 : 0;
