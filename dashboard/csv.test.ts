import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsvCell, toCsv } from './csv.js';

/** What `toCsv` writes between the quotes of `cell`'s field, beside a second column; every field is quoted. */
function one(cell: CsvCell): string {
  const csv = toCsv(['h', 'end'], [[cell, 'end']]);
  expect(csv.startsWith('"h","end"\r\n')).toBe(true);
  expect(csv.endsWith('","end"\r\n')).toBe(true);
  const quoted = csv.slice('"h","end"\r\n'.length, -',"end"\r\n'.length);
  expect(quoted.startsWith('"') && quoted.endsWith('"')).toBe(true);
  return quoted.slice(1, -1);
}

/**
 * A strict RFC 4180 reader, separate from the writer so the round trip tests
 * the format, not the code against itself. Throws on anything malformed.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let i = 0;
  for (;;) {
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          value += text[i];
          i++;
        }
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote at ${i}`);
        value += text[i];
        i++;
      }
    }
    fields.push(value);
    if (text[i] === ',') {
      i++;
    } else if (text.startsWith('\r\n', i)) {
      records.push(fields);
      fields = [];
      i += 2;
      if (i === text.length) return records;
    } else {
      throw new Error(`expected comma or CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 5))}`);
    }
  }
}

describe('toCsv', () => {
  it('writes a header and rows, comma-separated, every field quoted, every record ending in CRLF', () => {
    expect(
      toCsv(
        ['date', 'visitors', 'pageviews'],
        [
          ['2026-11-03', 120, 340],
          ['2026-11-04', 0, 0],
        ],
      ),
    ).toBe('"date","visitors","pageviews"\r\n"2026-11-03","120","340"\r\n"2026-11-04","0","0"\r\n');
  });

  it('writes only the header when there are no rows', () => {
    expect(toCsv(['a', 'b'], [])).toBe('"a","b"\r\n');
  });

  it.each<[string, CsvCell, string]>([
    ['plain text as is', 'hello', 'hello'],
    ['an empty string as an empty field', '', ''],
    ['null as an empty field', null, ''],
    ['a comma quoted', 'a,b', 'a,b'],
    ['a quote doubled and quoted', 'say "hi"', 'say ""hi""'],
    ['a lone quote', '"', '""'],
    ['LF quoted', 'a\nb', 'a\nb'],
    ['CR quoted', 'a\rb', 'a\rb'],
    ['CRLF quoted', 'a\r\nb', 'a\r\nb'],
    ['spaces kept', '  padded  ', '  padded  '],
    ['non-ASCII as is', 'café 日本 😀', 'café 日本 😀'],
    ['an apostrophe at the start left alone', "'quoted", "'quoted"],
  ])('fields: %s', (_name, cell, expected) => {
    expect(one(cell)).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['=', '=HYPERLINK("https://evil.example","x")', `'=HYPERLINK(""https://evil.example"",""x"")`],
    ['= alone', '=', "'="],
    ['+', '+1+2', "'+1+2"],
    ['-', '-2+3', "'-2+3"],
    ['- in a string that looks like a number', '-5', "'-5"],
    ['@', '@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['tab', '\t=1', "'\t=1"],
    ['CR, then quoted for the CR', '\r=1', `'\r=1`],
    ['= with a comma, prefixed before quoting', '=1,2', `'=1,2`],
  ])('formula injection: a string starting with %s gets an apostrophe', (_name, cell, expected) => {
    expect(one(cell)).toBe(expected);
  });

  it.each<[string, string]>([
    ['a formula character later in the text', 'a=b+c-d@e'],
    ['a URL', 'https://example.com/?q=-1'],
    ['a leading space before =', ' =1'],
    ['LF first (not on the list; quoted anyway)', '\n=1'],
  ])('formula injection: no apostrophe for %s', (_name, cell) => {
    expect(one(cell).includes("'")).toBe(false);
  });

  it('applies the same rules to the header', () => {
    expect(toCsv(['=cmd', 'a,b', 'ok'], [])).toBe(`"'=cmd","a,b","ok"\r\n`);
  });

  it.each<[string, number, string]>([
    ['zero', 0, '0'],
    ['negative zero as 0', -0, '0'],
    ['an integer', 1234567, '1234567'],
    ['a negative number, never prefixed', -5, '-5'],
    ['a fraction', 0.25, '0.25'],
    ['a negative fraction', -1.5, '-1.5'],
    ['a large integer without exponent', 1e21, '1000000000000000000000'],
    ['a large number with digits', 1.2345e25, '12345000000000000000000000'],
    ['a tiny number without exponent', 1e-7, '0.0000001'],
    ['a tiny negative number with digits', -1.25e-9, '-0.00000000125'],
    ['the largest safe integer', Number.MAX_SAFE_INTEGER, '9007199254740991'],
    ['NaN as an empty field', Number.NaN, ''],
    ['Infinity as an empty field', Number.POSITIVE_INFINITY, ''],
    ['-Infinity as an empty field', Number.NEGATIVE_INFINITY, ''],
  ])('numbers: %s', (_name, n, expected) => {
    expect(one(n)).toBe(expected);
  });

  it('writes plain decimals that read back as the same number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const text = one(n);
        expect(text).toMatch(/^-?\d+(\.\d+)?$/);
        expect(Number(text)).toBe(n === 0 ? 0 : n);
      }),
    );
  });

  it('keeps a lone empty field from becoming a blank line', () => {
    expect(toCsv([''], [[null], ['']])).toBe('""\r\n""\r\n""\r\n');
    expect(parseCsv(toCsv([''], [[null]]))).toEqual([[''], ['']]);
  });

  it('round-trips a tricky row through an RFC 4180 reader', () => {
    const header = ['url', 'referrer', 'event', 'visitors', 'delta', 'note'];
    const row: CsvCell[] = [
      'https://example.com/a,b?q="x"',
      '=HYPERLINK("https://evil.example")',
      'line one\r\nline two\nthree\rfour',
      1234,
      -7,
      null,
    ];
    const csv = toCsv(header, [row, ['@x', '+y', '-z', 0, 0.5, '\ttabbed']]);
    expect(parseCsv(csv)).toEqual([
      header,
      ['https://example.com/a,b?q="x"', `'=HYPERLINK("https://evil.example")`, 'line one\r\nline two\nthree\rfour', '1234', '-7', ''],
      ["'@x", "'+y", "'-z", '0', '0.5', "'\ttabbed"],
    ]);
  });

  it('round-trips any cells: strings come back as written (apostrophe aside), numbers as their value', () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.string({ unit: fc.constantFrom('a', ',', ';', '"', '\r', '\n', '=', '-', '+', '@', '\t', ' ', "'"), maxLength: 8 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constant(null),
    );
    const width = fc.integer({ min: 1, max: 5 });
    const table = width.chain((n) =>
      fc.record({
        header: fc.array(fc.string({ maxLength: 10 }), { minLength: n, maxLength: n }),
        rows: fc.array(fc.array(cell, { minLength: n, maxLength: n }), { maxLength: 5 }),
      }),
    );
    fc.assert(
      fc.property(table, ({ header, rows }) => {
        // Numbers are compared by value below, since their text has many spellings.
        const expectedText = (c: string | null): string => (c === null ? '' : c.replace(/(^|;)([=+\-@\t\r])/g, "$1'$2"));
        const parsed = parseCsv(toCsv(header, rows));
        expect(parsed.length).toBe(rows.length + 1);
        expect(parsed[0]).toEqual(header.map(expectedText));
        parsed.slice(1).forEach((fields, r) => {
          const row = rows[r] ?? [];
          fields.forEach((text, c) => {
            const original = row[c] ?? null;
            if (typeof original === 'number') expect(Number(text)).toBe(original === 0 ? 0 : original);
            else expect(text).toBe(expectedText(original));
          });
        });
      }),
    );
  });
});
