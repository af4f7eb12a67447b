// bench:reports' checks: each row's raw baseline (rawReport), timed, and
// what loadReport says for the same query compared with it.
import type { Store } from '../../core/db/connect.js';
import type { Site } from '../../core/db/schema.js';
import { DIMENSIONS } from '../../dashboard/reports/dimensions.js';
import { loadReport, type Period, type Report, rawReport } from '../../dashboard/reports/report.js';
import { measure, type Op } from './measure.js';
import { BASELINE_ROUNDS, BREAKDOWN_ROWS, message, ms, QUICK, seconds } from './options.js';
import type { Row } from './pages.js';

/** What differs between two reports of the same query, at most a few lines. */
function differences(got: Report, want: Report): string[] {
  const out: string[] = [];
  const sums = ['visitors', 'visits', 'pageviews', 'bounces', 'duration_ms', 'events'] as const;
  for (const part of ['totals', 'previous'] as const) {
    for (const name of sums) {
      if (got[part][name] !== want[part][name]) out.push(`${part}.${name} ${got[part][name]}, raw ${want[part][name]}`);
    }
  }
  const series = (r: Report) => r.series.map((p) => `${p.label} ${p.visitors} ${p.pageviews}`).join(', ');
  if (series(got) !== series(want)) out.push('the series differs');
  for (const dimension of DIMENSIONS) {
    const a = got.breakdowns[dimension];
    const b = want.breakdowns[dimension];
    // The order of rows with equal visitors and page views is the database's collation: only the values in both are compared.
    const shape = (rows: typeof a) => rows.map((row) => `${row.visitors}/${row.pageviews}`).join(' ');
    if (shape(a) !== shape(b)) {
      out.push(`${dimension}: rows ${shape(a)}; raw ${shape(b)}`);
      continue;
    }
    const byValue = new Map(b.map((row) => [row.value, row]));
    for (const row of a) {
      const other = byValue.get(row.value);
      if (other === undefined) continue;
      const fields = [...sums, 'engaged_ms'] as const;
      const wrong = fields.filter((field) => row[field] !== other[field]);
      if (wrong.length > 0) out.push(`${dimension} "${row.value}": ${wrong.map((f) => `${f} ${row[f]}, raw ${other[f]}`).join('; ')}`);
    }
  }
  return out.slice(0, 6);
}

/**
 * Times the raw baselines (but those over 12 months with --quick), then
 * checks loadReport against each; false when one differs or fails.
 */
export async function checkBaselines(
  store: Store,
  site: Site,
  rows: readonly Row[],
  period12: Period,
  say: (line: string) => void,
): Promise<boolean> {
  let ok = true;
  const baselined = BASELINE_ROUNDS === 0 ? [] : rows.filter((row) => !(QUICK && row.period === period12));
  say(
    BASELINE_ROUNDS === 0
      ? 'no raw baselines, no checks (--baseline-rounds 0)'
      : `raw baselines (rawReport: the period's events, day by day), ${BASELINE_ROUNDS} round(s), then loadReport checked against each`,
  );
  const results = new Map<Row, Report>();
  const baselineStart = performance.now();
  const baselines = await measure(
    baselined.map(
      (row): Op => ({
        label: row.label,
        run: async () => {
          results.set(row, await rawReport(store, site, row.period, row.filters, BREAKDOWN_ROWS));
        },
      }),
    ),
    BASELINE_ROUNDS,
    false,
  );
  baselined.forEach((row, i) => {
    const timing = baselines[i];
    row.baseline = timing?.p50;
    say(`${row.label}: baseline ${timing?.error === undefined ? `${ms(timing?.p50 ?? Number.NaN)} ms` : `failed: ${timing.error}`}`);
  });
  say(`baselines took ${seconds(performance.now() - baselineStart)}`);
  for (const row of rows) {
    const want = results.get(row);
    if (want === undefined) {
      row.check = 'not checked';
      continue;
    }
    let wrong: string[];
    try {
      wrong = differences(await loadReport(store, site, row.period, row.filters, BREAKDOWN_ROWS), want);
    } catch (error) {
      row.check = 'ERROR';
      ok = false;
      say(`${row.label}: loadReport failed: ${message(error)}`);
      continue;
    }
    row.check = wrong.length === 0 ? 'equal' : 'DIFFERS';
    if (wrong.length > 0) {
      ok = false;
      say(`${row.label}: loadReport DIFFERS from rawReport: ${wrong.join('; ')}`);
    }
  }
  return ok;
}
