// bench:reports' table: each row's p50 and p95, raw baseline, speed-up,
// target and check.
import { clip, ms, ROUNDS } from './options.js';
import type { Row } from './pages.js';

/** Prints the table; returns how many rows missed their target. */
export function printTable(label: string, rows: readonly Row[], factor: number, baselineRounds: number): number {
  const width = Math.max(...rows.map((row) => row.label.length), 10);
  console.log(
    `\n${label}: report page p50 and p95 over ${ROUNDS} rounds (fewer where said), the raw baseline (rawReport, p50 of ${baselineRounds}), p50 targets${factor === 1 ? '' : ` (${factor}× SQLite's)`}`,
  );
  console.log(
    `${'row'.padEnd(width)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'baseline'.padStart(9)} ${'speed-up'.padStart(9)} ${'target'.padStart(7)}  ${'check'.padEnd(11)} result`,
  );
  let missed = 0;
  for (const row of rows) {
    const p50 = row.page?.p50 ?? Number.NaN;
    const onTarget = p50 <= row.target;
    if (!onTarget) missed++;
    const ratio = (row.baseline ?? Number.NaN) / p50;
    const speedup = Number.isNaN(ratio) ? '–' : `${ratio.toFixed(ratio >= 10 ? 0 : 1)}×`;
    const result = row.page?.error !== undefined ? `FAILED: ${clip(row.page.error, 60)}` : onTarget ? 'on target' : 'BELOW TARGET';
    console.log(
      `${row.label.padEnd(width)} ${ms(p50).padStart(8)} ${ms(row.page?.p95 ?? Number.NaN).padStart(8)} ${ms(row.baseline ?? Number.NaN).padStart(9)} ${speedup.padStart(9)} ${`≤ ${row.target}`.padStart(7)}  ${(row.check ?? '').padEnd(11)} ${result}${roundsNote(row)}`,
    );
  }
  return missed;
}

/** How a row was timed, when not by every round. */
function roundsNote(row: Row): string {
  if (row.page === undefined) return '';
  if (row.page.slow) return ' (1 run: slow)';
  return row.page.samples.length < ROUNDS ? ` (${row.page.samples.length} rounds)` : '';
}
