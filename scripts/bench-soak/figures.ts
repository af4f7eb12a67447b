// bench:soak's figures: per window (events/s, ratio to bare Hono, wrk's
// p99, report fetches, peak RSS), the run's summary, and the verdicts.

import type { Store } from '../../core/db/connect.js';
import { percentile } from '../bench-common.js';
import type { Exit } from '../server.js';
import { type Account, storedCount } from './account.js';
import {
  CATCH_UP_MS,
  COLLECTOR_ONLY,
  CONNECTIONS,
  f0,
  f1,
  f2,
  peakMib,
  TARGET_RATIO,
  TARGET_REPORT_P50_MS,
  TARGET_RSS_MIB,
  WARMUP_SECONDS,
  WINDOW,
  WINDOWS,
} from './options.js';
import type { Sampler } from './probes.js';
import type { Run } from './wrk.js';

export interface ReportFetch {
  ms: number;
  status: number;
  period: string;
}

/** One run of wrk against the server, and when it ran. */
export interface Window {
  label: string;
  from: number;
  to: number;
  run: Run;
}

/** What one soak measured, to be summed up once the server has stopped. */
export interface Soaked {
  readonly windows: readonly Window[];
  readonly reports: Sampler<ReportFetch>;
  readonly rss: Sampler<number>;
  readonly bareBefore: Run;
  readonly bareAfter: Run;
  /** Seconds until the page views were exact, or undefined. */
  readonly caughtUp: number | undefined;
  readonly exit: Exit;
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

/**
 * Prints the table and the summary of one soak; false when `enforce` and a
 * target was missed.
 */
export async function summarize(label: string, store: Store, who: Account, soaked: Soaked, enforce: boolean): Promise<boolean> {
  const { windows, reports, rss, bareBefore, bareAfter } = soaked;
  const bareMean = (bareBefore.perSecond + bareAfter.perSecond) / 2;
  const rows = windows.map((w) => windowFigures(w, bareMean, reports, rss));
  const measured = rows.slice(1);
  console.log(`\n${label}: ${WINDOWS} windows of ${WINDOW} s after a ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections`);
  printTable([bareFigures('bare before', bareBefore, bareMean), ...rows, bareFigures('bare after', bareAfter, bareMean)]);

  const peakRss = peakMib(rss.samples.map((s) => s.value));
  const lastRss = peakMib(rss.samples.slice(-1).map((s) => s.value));
  console.log(
    `${label}: bare Hono ${f0(bareBefore.perSecond)} events/s before, ${f0(bareAfter.perSecond)} after: mean ${f0(bareMean)}; ` +
      `server RSS peak ${f1(peakRss)} MiB over the whole run (warm-up and catch-up too), ${f1(lastRss)} MiB at the end`,
  );
  const fetched = reports.samples.map((s) => s.value);
  const failedFetches = fetched.filter((r) => r.status !== 200);
  await printStored(label, store, who, windows, fetched);
  console.log(`${label}: server stopped with ${soaked.exit.signal ?? `code ${soaked.exit.code}`}`);

  const ratioOk = measured.every((r) => r.ratio >= TARGET_RATIO);
  const rssOk = peakRss <= TARGET_RSS_MIB;
  const reportOk = measured.every((r) => r.reportP50 <= TARGET_REPORT_P50_MS) && failedFetches.length === 0;
  const exactOk = soaked.caughtUp !== undefined;
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
    `${label}: page views exact within ${CATCH_UP_MS / 1000} s of the load's end (${soaked.caughtUp === undefined ? 'no' : `${soaked.caughtUp.toFixed(1)} s`}): ${verdict(exactOk)}${suffix}`,
  );
  return COLLECTOR_ONLY || !enforce || (ratioOk && rssOk && reportOk && exactOk);
}

function windowFigures(w: Window, bareMean: number, reports: Sampler<ReportFetch>, rss: Sampler<number>): Figures {
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
}

function bareFigures(name: string, run: Run, bareMean: number): Figures {
  return {
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
  };
}

/** The events and visitors stored, against what wrk saw, and the report fetches by period. */
async function printStored(
  label: string,
  store: Store,
  who: Account,
  windows: readonly Window[],
  fetched: readonly ReportFetch[],
): Promise<void> {
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
  const failedFetches = fetched.filter((r) => r.status !== 200);
  const p50For = (period: string) =>
    f1(
      percentile(
        fetched.filter((r) => r.period === period).map((r) => r.ms),
        50,
      ),
    );
  console.log(
    `${label}: ${events.toLocaleString('en-US')} events stored (wrk saw ${received.toLocaleString('en-US')} of their 2xx), ` +
      `${visitors.toLocaleString('en-US')} distinct visitors; report page fetched ${fetched.length} times, ` +
      `p50 ${p50For('today')} ms for today, ` +
      `${p50For('30d')} ms for 30d` +
      `${failedFetches.length > 0 ? `; ${failedFetches.length} FAILED (status ${[...new Set(failedFetches.map((r) => r.status))].join(', ')})` : ''}`,
  );
}
