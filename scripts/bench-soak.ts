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
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTestSettings } from '../core/config.js';
import { insertApiKey, insertSession, insertUser } from '../core/db/accounts.js';
import type { Store } from '../core/db/connect.js';
import { createScratchStore, type ScratchStore } from '../core/db/scratch.js';
import { insertSite } from '../core/db/sites.js';
import { newToken, SESSION_COOKIE, tokenHash } from '../dashboard/auth.js';
import { startProcess } from './server.js';
import { userAgents, writeTrafficScript } from './soak-traffic.js';

const TASKSET = '/usr/bin/taskset';
// --collector: the collector alone (no dashboard, no engine) under the same
// traffic, to tell its share of the cost from the rest; no targets then.
const COLLECTOR_ONLY = process.argv.includes('--collector');
const ENTRY = COLLECTOR_ONLY ? 'dist/collector.js' : 'dist/sightline.js';
const WARMUP_SECONDS = 3;
const RSS_EVERY_MS = 200;
const REPORT_EVERY_MS = 1000;
const CATCH_UP_MS = 120_000;
const TARGET_RATIO = 0.75;
const TARGET_RSS_MIB = 200;
const TARGET_REPORT_P50_MS = 250;

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number`);
  return value;
};
const WINDOW = argument('window', 10);
const SECONDS = argument('seconds', 60);
const CONNECTIONS = argument('connections', 64);
// At least SECONDS of load: a last, partial window would not compare with the others.
const WINDOWS = Math.ceil(SECONDS / WINDOW);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** The largest of some RSS samples in MiB; NaN for none, as for a process that had ended. */
const peakMib = (kib: readonly number[]) => (kib.length === 0 ? Number.NaN : kib.reduce((a, b) => Math.max(a, b)) / 1024);
/** Nearest-rank percentile. */
const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

interface Run {
  requests: number;
  non2xx: number;
  /** wrk's socket errors (connect, read, write, timeout) summed: requests that got no answer at all. */
  socketErrors: number;
  perSecond: number;
  p99ms: number;
}

/** Runs wrk on core 1 without blocking this process, which samples and fetches meanwhile. */
function wrk(url: string, script: string, seconds: number, seed: number): Promise<Run> {
  const args = ['-c', '1', 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', script, url, '--', String(seed)];
  return new Promise((resolve, reject) => {
    const child = spawn(TASKSET, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`wrk exited with ${code}:\n${out}`));
        return;
      }
      const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
      const value = Number(p99?.[1] ?? Number.NaN);
      resolve({
        requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
        non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
        perSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
        p99ms: p99?.[2] === 'us' ? value / 1000 : p99?.[2] === 's' ? value * 1000 : value,
        socketErrors: [...(/Socket errors:(.*)/.exec(out)?.[1] ?? '').matchAll(/\d+/g)].reduce((sum, m) => sum + Number(m[0]), 0),
      });
    });
  });
}

function ensureWrk(): void {
  if (spawnSync('wrk', ['-v']).error === undefined) return;
  if (process.getuid?.() !== 0) throw new Error('bench:soak needs wrk: apt-get install wrk');
  console.log('bench:soak: installing wrk (apt-get install wrk)');
  execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit' });
}

/** The processes this one started and that still run (from every thread: Node spawns from the main one, but to be sure). */
function childPids(): Set<number> {
  const pids = new Set<number>();
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    let text = '';
    try {
      text = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const pid of text.split(/\s+/)) if (pid !== '') pids.add(Number(pid));
  }
  return pids;
}

/**
 * The server's pid. startProcess spawns taskset, which sets the affinity and
 * execs node in the same process: the new child whose executable is now
 * node and whose command line names the entry point is the server itself.
 */
function serverPid(before: ReadonlySet<number>): number {
  const node = realpathSync(process.execPath);
  for (const pid of childPids()) {
    if (before.has(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (realpathSync(readlinkSync(`/proc/${pid}/exe`)) === node && cmdline.includes(ENTRY)) return pid;
    } catch {
      // It ended between the listing and the reading: not ours to measure.
    }
  }
  throw new Error(`bench:soak: found no node process running ${ENTRY} among this process's children`);
}

/** A repeating probe, run until stopped, whose results carry when they were taken. */
class Sampler<T> {
  readonly samples: Array<{ at: number; value: T }> = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(everyMs: number, take: () => Promise<T | undefined>) {
    this.done = (async () => {
      while (this.running) {
        const at = performance.now();
        const value = await take();
        if (value !== undefined) this.samples.push({ at, value });
        await sleep(Math.max(0, everyMs - (performance.now() - at)));
      }
    })();
  }

  /** Stops after the probe in flight, if any. */
  stop(): Promise<void> {
    this.running = false;
    return this.done;
  }

  between(from: number, to: number): T[] {
    return this.samples.filter((s) => s.at >= from && s.at < to).map((s) => s.value);
  }
}

interface ReportFetch {
  ms: number;
  status: number;
  period: string;
}

interface Window {
  label: string;
  from: number;
  to: number;
  run: Run;
}

interface Account {
  siteId: number;
  cookie: string;
  apiKey: string;
}

/** A site and its signed-in owner, made before the server starts, as an owner who signed up and added it would have. */
async function account(store: Store): Promise<Account> {
  const now = Date.now();
  const user = await insertUser(store.db, { email: 'soak@example.com', name: 'Soak', password_hash: 'none: no login', created_at: now });
  if (user === undefined) throw new Error('bench:soak: the scratch store already has an account');
  const site = await insertSite(store.db, {
    base_url: 'https://example.com',
    domain: 'example.com',
    name: 'Soak',
    timezone: 'UTC',
    owner_id: user.id,
    created_at: now,
  });
  const token = newToken();
  await insertSession(store.db, tokenHash(token), user.id, now);
  // As the account page makes them.
  const apiKey = `sl_${newToken()}`;
  await insertApiKey(store.db, {
    user_id: user.id,
    name: 'soak',
    key_hash: tokenHash(apiKey),
    prefix: apiKey.slice(0, 7),
    created_at: now,
  });
  return { siteId: site.id, cookie: `${SESSION_COOKIE}=${token}`, apiKey };
}

async function storedCount(store: Store, siteId: number, pageviewsOnly: boolean): Promise<number> {
  let query = store.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('site_id', '=', siteId);
  if (pageviewsOnly) query = query.where('name', '=', 'pageview');
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** The page views the JSON API reports for the last 30 days, which hold every event of the run even across midnight. */
async function reportedPageviews(origin: string, account: Account): Promise<number> {
  const res = await fetch(`${origin}/api/v1/sites/${account.siteId}/stats?period=30d`, {
    headers: { authorization: `Bearer ${account.apiKey}` },
    signal: AbortSignal.timeout(30_000),
  });
  const body: unknown = await res.json();
  const totals = typeof body === 'object' && body !== null && 'totals' in body ? body.totals : undefined;
  const pageviews = typeof totals === 'object' && totals !== null && 'pageviews' in totals ? totals.pageviews : undefined;
  if (res.status !== 200 || typeof pageviews !== 'number') {
    throw new Error(`bench:soak: the stats API answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
  return pageviews;
}

/** Polls until the API's page views equal the rows stored, twice read the same; the seconds it took, or undefined. */
async function catchUp(label: string, store: Store, origin: string, account: Account): Promise<number | undefined> {
  const stopped = performance.now();
  let last = '';
  let shown = 0;
  for (;;) {
    const stored = await storedCount(store, account.siteId, true);
    const reported = await reportedPageviews(origin, account);
    // Read again: requests wrk left in flight may still be committed after the first count.
    const again = await storedCount(store, account.siteId, true);
    const seconds = (performance.now() - stopped) / 1000;
    last = `report ${reported.toLocaleString('en-US')} page views, database ${again.toLocaleString('en-US')}`;
    if (stored === reported && again === reported) {
      console.log(`${label}: catch-up: exact after ${seconds.toFixed(1)} s (${last})`);
      return seconds;
    }
    // Now and then, so that a slow catch-up shows whether it converges.
    if (seconds - shown >= 10) {
      shown = seconds;
      console.log(`${label}: catch-up: ${seconds.toFixed(0)} s: ${last}`);
    }
    if (performance.now() - stopped > CATCH_UP_MS) {
      console.log(`${label}: catch-up: NOT exact after ${seconds.toFixed(1)} s (${last})`);
      return undefined;
    }
    await sleep(500);
  }
}

interface Figures {
  label: string;
  events: number;
  ratio: number;
  p99: number;
  reportP50: number;
  reportMax: number;
  reports: number;
  reportErrors: number;
  rssMib: number;
  non2xx: number;
  socketErrors: number;
}

const f0 = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(0));
const f1 = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(1));
const f2 = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(2));

function printTable(rows: readonly Figures[]): void {
  console.log(
    `${'window'.padEnd(16)} ${'events/s'.padStart(9)} ${'ratio'.padStart(6)} ${'p99 ms'.padStart(8)} ${'report p50 ms'.padStart(14)} ${'(max, n)'.padEnd(14)} ${'peak RSS MiB'.padStart(13)} ${'non-2xx'.padStart(8)} ${'sock err'.padStart(8)}`,
  );
  for (const r of rows) {
    const fetches = r.reports === 0 ? '' : `(${f0(r.reportMax)}, ${r.reports}${r.reportErrors > 0 ? `, ${r.reportErrors} failed` : ''})`;
    console.log(
      `${r.label.padEnd(16)} ${f0(r.events).padStart(9)} ${f2(r.ratio).padStart(6)} ${f2(r.p99).padStart(8)} ${f1(r.reportP50).padStart(14)} ${fetches.padEnd(14)} ${f1(r.rssMib).padStart(13)} ${String(r.non2xx).padStart(8)} ${String(r.socketErrors).padStart(8)}`,
    );
  }
}

/** Soaks one store; false when `enforce` and a target was missed. */
async function soak(label: string, store: ScratchStore, bareUrl: string, enforce: boolean): Promise<boolean> {
  const who = await account(store);
  const script = writeTrafficScript(dir, who.siteId, agents);
  let seed = 1;
  const bareBefore = await wrk(bareUrl, script, WINDOW, seed++);

  const before = childPids();
  const server = await startProcess(['--enable-source-maps', ENTRY], { DATABASE_URL: store.url, TRUSTED_PROXIES: '127.0.0.1' }, 0);
  let stopped = false;
  // Stopped in the end whatever happens: their loops would keep this process alive.
  const samplers: Array<{ stop(): Promise<void> }> = [];
  try {
    const pid = serverPid(before);
    const affinity = readFileSync(`/proc/${pid}/status`, 'utf8').match(/Cpus_allowed_list:\s*(\S+)/)?.[1] ?? '?';
    console.log(`${label}: server pid ${pid} (node, cores ${affinity}), site ${who.siteId}, ${store.url.replace(/\/\/[^@]*@/, '//…@')}`);

    const rss = new Sampler<number>(RSS_EVERY_MS, async () => {
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
      } catch {
        return undefined; // the process has ended
      }
    });
    let turn = 0;
    const reports = new Sampler<ReportFetch>(REPORT_EVERY_MS, async () => {
      if (COLLECTOR_ONLY) return undefined;
      const period = turn++ % 2 === 0 ? 'today' : '30d';
      const started = performance.now();
      let status = 0;
      try {
        // Manual redirects: a lost session would answer 302 to the login page, quickly.
        const res = await fetch(`${server.origin}/site/${who.siteId}?period=${period}`, {
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
    samplers.push(rss, reports);

    const url = `${server.origin}/api/event`;
    const windows: Window[] = [];
    const warmStart = performance.now();
    const warmRun = await wrk(url, script, WARMUP_SECONDS, seed++);
    windows.push({ label: 'warm-up', from: warmStart, to: performance.now(), run: warmRun });
    for (let i = 1; i <= WINDOWS; i++) {
      const from = performance.now();
      const run = await wrk(url, script, WINDOW, seed++);
      const to = performance.now();
      // Progress only: the table below adds the ratio, and the report fetches still in flight.
      console.log(
        `${label}: window ${i}/${WINDOWS}: ${f0(run.perSecond)} events/s, p99 ${f2(run.p99ms)} ms, peak RSS ${f1(peakMib(rss.between(from, to)))} MiB, ${run.non2xx} non-2xx, ${run.socketErrors} socket errors`,
      );
      windows.push({ label: `${i}: ${((from - warmStart) / 1000).toFixed(0)}–${((to - warmStart) / 1000).toFixed(0)} s`, from, to, run });
    }
    await reports.stop();

    const caughtUp = COLLECTOR_ONLY ? undefined : await catchUp(label, store, server.origin, who);
    await rss.stop();
    const exit = await server.stop();
    stopped = true;
    const bareAfter = await wrk(bareUrl, script, WINDOW, seed++);

    const bareMean = (bareBefore.perSecond + bareAfter.perSecond) / 2;
    const figures = (w: Window): Figures => {
      const fetched = reports.between(w.from, w.to);
      const times = fetched.map((r) => r.ms);
      return {
        label: w.label,
        events: w.run.perSecond,
        ratio: w.run.perSecond / bareMean,
        p99: w.run.p99ms,
        reportP50: percentile(times, 50),
        reportMax: times.length === 0 ? Number.NaN : Math.max(...times),
        reports: times.length,
        reportErrors: fetched.filter((r) => r.status !== 200).length,
        rssMib: peakMib(rss.between(w.from, w.to)),
        non2xx: w.run.non2xx,
        socketErrors: w.run.socketErrors,
      };
    };
    const bareRow = (name: string, run: Run): Figures => ({
      label: name,
      events: run.perSecond,
      ratio: run.perSecond / bareMean,
      p99: run.p99ms,
      reportP50: Number.NaN,
      reportMax: Number.NaN,
      reports: 0,
      reportErrors: 0,
      rssMib: Number.NaN,
      non2xx: run.non2xx,
      socketErrors: run.socketErrors,
    });
    const rows = windows.map(figures);
    const measured = rows.slice(1);
    console.log(`\n${label}: ${WINDOWS} windows of ${WINDOW} s after a ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections`);
    printTable([bareRow('bare before', bareBefore), ...rows, bareRow('bare after', bareAfter)]);

    const peakRss = peakMib(rss.samples.map((s) => s.value));
    const lastRss = peakMib(rss.samples.slice(-1).map((s) => s.value));
    const received = windows.reduce((sum, w) => sum + w.run.requests - w.run.non2xx, 0);
    const events = await storedCount(store, who.siteId, false);
    const visitors = Number(
      (
        await store.db
          .selectFrom('events')
          .select((eb) => eb.fn.count('visitor_id').distinct().as('n'))
          .where('site_id', '=', who.siteId)
          .executeTakeFirstOrThrow()
      ).n,
    );
    const fetched = reports.samples.map((s) => s.value);
    const failedFetches = fetched.filter((r) => r.status !== 200);
    console.log(
      `${label}: bare Hono ${f0(bareBefore.perSecond)} events/s before, ${f0(bareAfter.perSecond)} after: mean ${f0(bareMean)}; ` +
        `server RSS peak ${f1(peakRss)} MiB over the whole run (warm-up and catch-up too), ${f1(lastRss)} MiB at the end`,
    );
    console.log(
      `${label}: ${events.toLocaleString('en-US')} events stored (wrk saw ${received.toLocaleString('en-US')} of their 2xx), ` +
        `${visitors.toLocaleString('en-US')} distinct visitors; report page fetched ${fetched.length} times, ` +
        `p50 ${f1(
          percentile(
            fetched.filter((r) => r.period === 'today').map((r) => r.ms),
            50,
          ),
        )} ms for today, ` +
        `${f1(
          percentile(
            fetched.filter((r) => r.period === '30d').map((r) => r.ms),
            50,
          ),
        )} ms for 30d` +
        `${failedFetches.length > 0 ? `; ${failedFetches.length} FAILED (status ${[...new Set(failedFetches.map((r) => r.status))].join(', ')})` : ''}`,
    );
    console.log(`${label}: server stopped with ${exit.signal ?? `code ${exit.code}`}`);

    const ratioOk = measured.every((r) => r.ratio >= TARGET_RATIO);
    const rssOk = peakRss <= TARGET_RSS_MIB;
    const reportOk = measured.every((r) => r.reportP50 <= TARGET_REPORT_P50_MS) && failedFetches.length === 0;
    const exactOk = caughtUp !== undefined;
    const verdict = (ok: boolean) => (ok ? 'on target' : 'BELOW TARGET');
    const suffix = COLLECTOR_ONLY ? ' (the collector alone: not enforced)' : enforce ? '' : ' (not enforced on PostgreSQL)';
    console.log(
      `${label}: ratio ≥ ${TARGET_RATIO} in every window (lowest ${f2(Math.min(...measured.map((r) => r.ratio)))}): ${verdict(ratioOk)}${suffix}`,
    );
    console.log(`${label}: peak RSS ≤ ${TARGET_RSS_MIB} MiB (${f1(peakRss)}): ${verdict(rssOk)}${suffix}`);
    console.log(
      `${label}: report p50 ≤ ${TARGET_REPORT_P50_MS} ms in every window, every fetch 200 (highest p50 ${f1(Math.max(...measured.map((r) => r.reportP50)))} ms): ${verdict(reportOk)}${suffix}`,
    );
    console.log(
      `${label}: page views exact within ${CATCH_UP_MS / 1000} s of the load's end (${caughtUp === undefined ? 'no' : `${caughtUp.toFixed(1)} s`}): ${verdict(exactOk)}${suffix}`,
    );
    return COLLECTOR_ONLY || !enforce || (ratioOk && rssOk && reportOk && exactOk);
  } finally {
    for (const sampler of samplers) await sampler.stop();
    if (!stopped) await server.stop();
  }
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
