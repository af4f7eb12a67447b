// Security finding: CSV fields holding `;` were not quoted, so a spreadsheet
// set to split on `;` (most of continental Europe) made `Signup;=cmd|…` a
// cell that starts with `=`. Every export is read back here as such a
// spreadsheet would, and as a plain comma reader.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { insertEvent } from '../core/db/events.js';
import type { NewEvent } from '../core/db/schema.js';
import { insertSite } from '../core/db/sites.js';
import { testApp } from '../test/app.js';
import { dialects, useTestStore } from '../test/store.js';
import { TestBrowser } from '../test/test-browser.js';
import { runEngine } from './reports/engine.js';

const FORMULA_START = /^[=+\-@\t\r]/;
const HOSTILE = ["Signup;=cmd|' /C calc'!A0", '=HYPERLINK("https://evil.example";"x")', '+1;-2;@SUM(A1);\t=1;\r=2', 'plain;text'] as const;

describe.each(dialects)('CSV exports read by a spreadsheet, on %s', (dialect) => {
  const store = useTestStore(dialect);

  it('never give a cell that starts a formula, with `,` or `;` as the separator', async () => {
    const server = testApp(store());
    const browser = new TestBrowser(server);
    await browser.register('owner@example.com');
    await insertSite(store().db, { base_url: 'https://example.com', domain: 'example.com', name: 'Example', created_at: 0, owner_id: 1 });
    const now = Date.now() - 60_000;
    for (const [i, text] of HOSTILE.entries()) {
      const event: NewEvent = {
        site_id: 1,
        ts: now + i,
        name: 'pageview',
        url: `https://example.com/${encodeURIComponent(text)}`,
        referrer: text,
        browser: 'Firefox',
        ip: null,
        visitor_id: i + 1,
        source: text,
        utm_campaign: text,
      };
      await insertEvent(store().db, event);
      await insertEvent(store().db, { ...event, ts: now + 10 + i, name: text, props: JSON.stringify({ [text]: text }) });
    }
    await runEngine(store());

    for (const file of ['events', 'source', 'utm_campaign', 'event', 'prop']) {
      const res = await browser.get(`/site/1/export/${file}.csv?period=today`);
      expect(res.status, file).toBe(200);
      const text = await res.text();
      const byComma: string[][] = parse(text, { delimiter: ',' });
      // Not an empty export: the hostile texts are in it.
      for (const marker of ['cmd|', 'HYPERLINK', 'SUM(A1)']) {
        expect(
          byComma.some((row) => row.some((cell) => cell.includes(marker))),
          `${file}: ${marker}`,
        ).toBe(true);
      }
      const bySemicolon: string[][] = parse(text, { delimiter: ';', relax_quotes: true, relax_column_count: true });
      for (const cell of [...byComma.flat(), ...bySemicolon.flat()])
        expect(cell, `${file}: ${JSON.stringify(cell)}`).not.toMatch(FORMULA_START);
    }
  });
});
