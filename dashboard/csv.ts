/** One CSV cell: text, a number, or nothing. */
export type CsvCell = string | number | null;

// Spreadsheets run a cell that starts with one of these as a formula. Visitors
// choose URLs, referrers and event names, so an export must not let them.
// A spreadsheet set to split on `;` (the list separator in most of
// continental Europe) starts a cell after every `;`, quotes or not, so a
// formula character is neutralised there too.
const FORMULA = /(^|;)([=+\-@\t\r])/g;

/**
 * A CSV document: the header, then one record per row, fields separated by
 * commas, every record ending in CRLF (RFC 4180).
 *
 * - Every field is quoted, quotes doubled.
 * - `null` and non-finite numbers (NaN, ±Infinity) become empty fields.
 * - Numbers are written in plain decimal, never exponent form.
 * - In a string (header or cell), `=`, `+`, `-`, `@`, tab or CR at the
 *   start or after a `;` gets an apostrophe before it, so spreadsheets show
 *   it as text instead of running it. Numbers are never changed, so pass a
 *   negative count as a number: the string `'-5'` comes out as `'-5`.
 */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<CsvCell>>): string {
  let out = record(header);
  for (const row of rows) out += record(row);
  return out;
}

function record(cells: ReadonlyArray<CsvCell>): string {
  return `${cells.map(field).join(',')}\r\n`;
}

function field(cell: CsvCell): string {
  const text = cell === null ? '' : typeof cell === 'number' ? plainDecimal(cell) : cell.replace(FORMULA, "$1'$2");
  return `"${text.replaceAll('"', '""')}"`;
}

/** `n` without an exponent: 1e21 as 1000000000000000000000, 1e-7 as 0.0000001. */
function plainDecimal(n: number): string {
  if (!Number.isFinite(n)) return '';
  const shortest = String(n);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest);
  if (match === null) return shortest;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  // Where the decimal point falls within `digits` once the exponent is applied.
  const point = whole.length + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
