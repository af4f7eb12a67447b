/**
 * npm run bench:ingest: events per second into the real collector, against
 * a bare Hono endpoint measured in the same run. The server under test runs
 * on core 0, wrk on core 1 (taskset), on this machine's loopback only.
 * Prints events/s, p50 and p99 for each, the ratio, and checks that the rows
 * stored equal the events acknowledged. SQLite always; PostgreSQL too when
 * TEST_DATABASE_URL is set.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTestSettings } from '../core/config.js';
import { createScratchStore, type ScratchStore } from '../core/db/scratch.js';
import { startProcess } from './server.js';

const TASKSET = '/usr/bin/taskset';

// npm run bench:ingest -- --seconds 10 --rounds 5 --connections 128
const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number`);
  return value;
};
const SECONDS = argument('seconds', 5);
// Five rounds: one round's ratio swings by ±0.05 with this machine's drift.
const ROUNDS = argument('rounds', 5);
const CONNECTIONS = argument('connections', 64);
const TARGET_RATIO = 0.75;

// Thirty real browsers' User-Agents: desktop and mobile, several versions.
const AGENTS = [
  ...[136, 137, 138, 139, 140].map(
    (v) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`,
  ),
  ...[137, 138, 139, 140].map(
    (v) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`,
  ),
  ...[138, 139, 140].map((v) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`),
  ...[143, 144, 145].map((v) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`),
  ...[144, 145].map((v) => `Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`),
  ...['17.6', '18.4', '18.5'].map(
    (v) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v} Safari/605.1.15`,
  ),
  ...['17_7', '18_4', '18_5', '18_6'].map(
    (v) =>
      `Mozilla/5.0 (iPhone; CPU iPhone OS ${v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v.replace('_', '.')} Mobile/15E148 Safari/604.1`,
  ),
  ...['17_7', '18_5'].map(
    (v) =>
      `Mozilla/5.0 (iPad; CPU OS ${v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v.replace('_', '.')} Mobile/15E148 Safari/604.1`,
  ),
  ...[13, 14, 15].map(
    (v) => `Mozilla/5.0 (Linux; Android ${v}; Pixel ${v - 5}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36`,
  ),
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.3485.54',
];

const REFERRERS = [
  '',
  '',
  '',
  'https://www.google.com/',
  'https://news.ycombinator.com/item?id=1',
  'https://duckduckgo.com/',
  'https://example.com/',
];
const PATHS = Array.from({ length: 200 }, (_, i) => `/docs/${['guide', 'api', 'blog', 'pricing'][i % 4]}/${i}`);
const bodies = PATHS.map((path, i) => {
  const query = i % 9 === 0 ? '?utm_source=newsletter&utm_medium=email&utm_campaign=autumn' : '';
  return JSON.stringify({ s: 1, u: `https://example.com${path}${query}`, r: REFERRERS[i % REFERRERS.length] });
});

interface Run {
  requests: number;
  non2xx: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  errors: string;
}

function ensureWrk(): void {
  if (spawnSync('wrk', ['-v']).error === undefined) return;
  if (process.getuid?.() === 0) {
    console.log('bench: installing wrk (apt-get install wrk)');
    execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit' });
    return;
  }
  throw new Error('bench:ingest needs wrk: apt-get install wrk');
}

function luaScript(dir: string): string {
  const file = join(dir, 'beacons.lua');
  const list = (items: string[]) => `{\n${items.map((item) => `  [==[${item}]==]`).join(',\n')}\n}`;
  writeFileSync(
    file,
    `local bodies = ${list(bodies)}\nlocal agents = ${list(AGENTS)}\nlocal i = 0\n` +
      `request = function()\n  i = i + 1\n  return wrk.format("POST", nil, { ["Content-Type"] = "text/plain;charset=UTF-8", ["User-Agent"] = agents[i % #agents + 1] }, bodies[i % #bodies + 1])\nend\n`,
  );
  return file;
}

function wrk(url: string, script: string, seconds: number): Run {
  const out = execFileSync(TASKSET, ['-c', '1', 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', script, url], {
    encoding: 'utf8',
  });
  const ms = (label: string) => {
    const match = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (match === null) return Number.NaN;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  return {
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    perSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p50ms: ms('50%'),
    p99ms: ms('99%'),
    errors: /Socket errors:.*/.exec(out)?.[0] ?? '',
  };
}

function report(label: string, run: Run): void {
  console.log(
    `${label.padEnd(24)} ${run.perSecond.toFixed(0).padStart(8)} events/s  p50 ${run.p50ms.toFixed(2).padStart(6)} ms  p99 ${run.p99ms.toFixed(2).padStart(6)} ms  ${run.non2xx} non-2xx ${run.errors}`,
  );
}

/** The middle value; for an even count, the mean of the two middle ones. */
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle)
    ? ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2
    : (sorted[Math.floor(middle)] ?? Number.NaN);
};

/**
 * Measures the bare endpoint and the collector in turns, ROUNDS times each,
 * both servers up and pinned to core 0 (the idle one costs nothing). This
 * machine's speed drifts from minute to minute, and turns put both under
 * the same drift; the ratio is the median of each round's ratio.
 */
async function compare(
  label: string,
  bareUrl: string,
  store: ScratchStore,
  script: string,
): Promise<{ ratio: number; p99: number; ok: boolean }> {
  const server = await startProcess(['dist/collector.js'], { DATABASE_URL: store.url }, 0);
  const url = `${server.origin}/api/event`;
  const runs: Run[] = [wrk(url, script, 3)]; // warm-up, counted in the rows
  const bare: Run[] = [];
  const ours: Run[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const b = wrk(bareUrl, script, SECONDS);
    const c = wrk(url, script, SECONDS);
    report(`bare Hono, round ${round}`, b);
    report(`${label}, round ${round}`, c);
    bare.push(b);
    ours.push(c);
    runs.push(c);
  }
  await server.stop();
  const stored = Number(
    (
      await store.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  // The collector counts every 202 it sent and logs the total when it stops.
  // wrk stops with requests in flight: their 202s may never reach it.
  const acknowledged = server
    .output()
    .split('\n')
    .filter((line) => line.includes('"collector summary"'))
    .reduce((sum, line) => sum + Number((JSON.parse(line) as { accepted?: number }).accepted ?? 0), 0);
  const received = runs.reduce((sum, run) => sum + run.requests - run.non2xx, 0);
  // Each round pairs two runs made seconds apart: the median of the rounds'
  // ratios follows the machine's drift, where a ratio of the medians can
  // pair a fast minute's bare run with a slow minute's collector run.
  const roundRatios = ours.map((run, i) => run.perSecond / (bare[i] as Run).perSecond);
  const ratio = median(roundRatios);
  const ofMedians = median(ours.map((r) => r.perSecond)) / median(bare.map((r) => r.perSecond));
  const p99 = median(ours.map((r) => r.p99ms));
  console.log(
    `${label}: median ${median(ours.map((r) => r.perSecond)).toFixed(0)} events/s against bare Hono's ${median(bare.map((r) => r.perSecond)).toFixed(0)}; ` +
      `rounds' ratios ${roundRatios.map((r) => r.toFixed(2)).join(', ')}: median ratio ${ratio.toFixed(2)} (ratio of the medians ${ofMedians.toFixed(2)}), median p99 ${p99.toFixed(2)} ms`,
  );
  console.log(
    `${label}: rows stored ${stored}, events acknowledged ${acknowledged}: ${stored === acknowledged ? 'equal' : 'NOT EQUAL'}` +
      ` (wrk received ${received} of those 202s before it stopped)`,
  );
  return { ratio, p99, ok: stored === acknowledged && ours.every((r) => r.non2xx === 0) };
}

ensureWrk();
const dir = mkdtempSync(join(tmpdir(), 'sightline-bench-'));
const script = luaScript(dir);
console.log(
  `bench:ingest: ${ROUNDS} rounds of ${SECONDS} s per server, in turns; wrk with ${CONNECTIONS} connections on core 1, servers on core 0`,
);
let failed = false;
try {
  const bare = await startProcess(['scripts/run-ts.mjs', 'scripts/bench-bare.ts', '{port}'], {}, 0);
  wrk(`${bare.origin}/api/event`, script, 3); // warm-up
  const targets: Array<[string, 'sqlite' | string]> = [['collector, SQLite', 'sqlite']];
  const postgresUrl = loadTestSettings().postgresUrl;
  if (postgresUrl !== undefined) targets.push(['collector, PostgreSQL', postgresUrl]);
  else console.log('bench:ingest: PostgreSQL skipped: TEST_DATABASE_URL is not set');
  try {
    for (const [label, where] of targets) {
      const store = await createScratchStore(where);
      try {
        await store.db
          .insertInto('sites')
          .values({ base_url: 'https://example.com', domain: 'example.com', name: 'Bench', created_at: 0 })
          .execute();
        const { ratio, p99, ok } = await compare(label, `${bare.origin}/api/event`, store, script);
        if (!ok) failed = true;
        if (where === 'sqlite') {
          console.log(`${label}: targets: ratio ≥ ${TARGET_RATIO}, p99 < 20 ms`);
          if (ratio < TARGET_RATIO || p99 >= 20) failed = true;
        }
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
console.log(failed ? 'bench:ingest: below target' : 'bench:ingest: on target');
process.exitCode = failed ? 1 : 0;
