// A site's report in real Chromium: events sent through the collector show
// in the top line, the chart and the lists; clicking a row filters it all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../scripts/server.js';
import { browserSkipReason, launchChromium } from '../test/browser.js';
import { registerAndAddSite } from '../test/browser-pages.js';
import { createTestStore, dialects } from '../test/store.js';

const skip = browserSkipReason();
const agent = (version: number) =>
  `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version}.0.0.0 Safari/537.36`;

/** What the report shows: the visitors card, the chart's hover titles, and the labels of one breakdown. */
async function shown(page: Page, breakdown: string) {
  return {
    visitors: await page.locator('#top-line .card').first().locator('.big').textContent(),
    chart: await page.locator('svg.chart-svg title').allTextContents(),
    rows: await page.locator(`#breakdown-${breakdown} tbody td.wrap a`).allTextContents(),
  };
}

describe.skipIf(skip !== undefined).each(dialects)('the report in a browser on %s', (dialect) => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows what was sent, and filters everything by a clicked row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-report-'));
    const pgStore = dialect === 'postgres' ? await createTestStore('postgres') : undefined;
    const server = await startServer(pgStore?.url ?? `sqlite:${join(dir, 'sightline.db')}`);
    try {
      const page = await browser.newPage();
      const siteId = await registerAndAddSite(page, server.origin, 'https://shop.example');

      // Three visitors (a browser version each): two from search, one from news.
      const visits: Array<[number, string, string[]]> = [
        [140, 'https://search.example/?q=shoes', ['/', '/shoes']],
        [141, 'https://search.example/?q=hats', ['/hats']],
        [142, 'https://news.example/story', ['/', '/shoes', '/checkout']],
      ];
      for (const [version, referrer, paths] of visits) {
        for (const [i, path] of paths.entries()) {
          const sent = await fetch(`${server.origin}/api/event`, {
            method: 'POST',
            body: JSON.stringify({
              s: siteId,
              u: `https://shop.example${path}`,
              r: i === 0 ? referrer : `https://shop.example${paths[i - 1]}`,
            }),
            headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': agent(version) },
          });
          expect(sent.status).toBe(202);
          expect(sent.headers.get('x-sightline-dropped')).toBeNull();
        }
      }

      // The engine's thread folds new events within a second or two: reload until they are in.
      const deadline = Date.now() + 10_000;
      let before: Awaited<ReturnType<typeof shown>>;
      do {
        await page.goto(`${server.origin}/site/${siteId}?period=today`);
        before = await shown(page, 'source');
      } while (before.visitors !== '3' && Date.now() < deadline);
      expect(before.visitors).toBe('3');
      expect(before.rows).toEqual(['search.example', 'news.example']);
      expect(before.chart.join('\n')).toMatch(/: 3 visitors, 6 page views/);

      await page.click('#breakdown-source a:text-is("news.example")');
      await page.waitForURL(/f=source%3Anews.example/);
      const after = await shown(page, 'source');
      expect(after.visitors).toBe('1');
      expect(after.rows).toEqual(['news.example']);
      expect(after.chart.join('\n')).toMatch(/: 1 visitor, 3 page views/);
      expect(await page.locator('#breakdown-page tbody td.wrap a').allTextContents()).toEqual(['/', '/checkout', '/shoes']);
      expect(await page.locator('#filters-applied .chip').allTextContents()).toEqual(['Sources: news.example ×']);

      // The chip takes the filter off again.
      await page.click('#filters-applied .chip');
      await page.waitForURL((url) => !url.search.includes('f='));
      expect((await shown(page, 'source')).visitors).toBe('3');
    } finally {
      await server.stop();
      await pgStore?.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
