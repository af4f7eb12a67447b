// bench:soak's command line (see bench-soak.ts), targets and formatting.
export const TASKSET = '/usr/bin/taskset';
// --collector: the collector alone (no dashboard, no engine) under the same
// traffic, to tell its share of the cost from the rest; no targets then.
export const COLLECTOR_ONLY = process.argv.includes('--collector');
export const ENTRY = COLLECTOR_ONLY ? 'dist/collector.js' : 'dist/sightline.js';
export const WARMUP_SECONDS = 3;
export const RSS_EVERY_MS = 200;
export const REPORT_EVERY_MS = 1000;
export const CATCH_UP_MS = 120_000;
export const TARGET_RATIO = 0.75;
export const TARGET_RSS_MIB = 200;
export const TARGET_REPORT_P50_MS = 250;

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number`);
  return value;
};
export const WINDOW = argument('window', 10);
export const SECONDS = argument('seconds', 60);
export const CONNECTIONS = argument('connections', 64);
// At least SECONDS of load: a last, partial window would not compare with the others.
export const WINDOWS = Math.ceil(SECONDS / WINDOW);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** The largest of some RSS samples in MiB; NaN for none, as for a process that had ended. */
export const peakMib = (kib: readonly number[]) => (kib.length === 0 ? Number.NaN : kib.reduce((a, b) => Math.max(a, b)) / 1024);

export const f0 = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(0));
export const f1 = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(1));
export const f2 = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(2));
