// The whole path in a real browser: register, add a site in the dashboard,
// paste its snippet into a page on another origin, open it, see the visit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, waitFor } from '../scripts/server.js';
import { browserSkipReason, FIXTURE_HOST, launchChromium, serveFixtures } from '../test/browser.js';
import { registerAndAddSite } from '../test/browser-pages.js';
import { createTestStore, dialects } from '../test/store.js';

const skip = browserSkipReason();

describe.skipIf(skip !== undefined).each(dialects)('end to end on %s', (dialect) => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('records a page view from a page on another origin, and a curl visit through the form route', async () => {
    // SQLite: a path that does not exist yet, so start-up must create and migrate it.
    // PostgreSQL: a fresh schema of its own.
    const dir = mkdtempSync(join(tmpdir(), 'sightline-e2e-'));
    const pgStore = dialect === 'postgres' ? await createTestStore('postgres') : undefined;
    const server = await startServer(pgStore?.url ?? `sqlite:${join(dir, 'data', 'sightline.db')}`);
    let fixture: Awaited<ReturnType<typeof serveFixtures>> | undefined;
    try {
      const page = await browser.newPage();

      // The site owner registers, adds the site and copies the snippet, as in the README.
      expect(await registerAndAddSite(page, server.origin, `http://${FIXTURE_HOST}`)).toBe(1);
      const snippet = await page.inputValue('#snippet');
      // Without PUBLIC_URL, the snippet points at the listen address, never at the request's Host.
      const listening = `http://localhost:${new URL(server.origin).port}`;
      expect(snippet).toBe(
        `<script defer src="${listening}/sightline.js" data-site="1"></script>\n` +
          `<noscript><img src="${listening}/api/pixel?s=1" alt="" width="1" height="1" referrerpolicy="no-referrer-when-downgrade"></noscript>`,
      );

      fixture = await serveFixtures(snippet);
      const pageUrl = `${fixture.origin}/pricing?plan=pro`;
      const visitor = await browser.newPage();
      const errors: string[] = [];
      visitor.on('pageerror', (error) => errors.push(error.message));
      visitor.on('console', (message) => message.text().startsWith('sightline') && errors.push(message.text()));
      await visitor.goto(pageUrl, { referer: 'https://news.example/item/1' });

      // The curl command of the form route, against the same running server.
      const curl = await fetch(`${server.origin}/site/1/visit`, {
        method: 'POST',
        body: 'event=BashVisit&browser=cURL&url=/&ip_address=1.2.3.4&date=2013-11-09',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(curl.status).toBe(201);

      // The beacon is fire-and-forget: wait for it to land, then look as the owner would.
      const rowsText = async () => {
        await page.goto(`${server.origin}/site/1`);
        return page
          .locator('#events tbody')
          .textContent({ timeout: 1000 })
          .then((text) => text ?? '')
          .catch(() => '');
      };
      let text = '';
      await waitFor(
        async () => {
          text = await rowsText();
          return text.includes('pageview');
        },
        15_000,
        () => `the page view never showed up on the dashboard; it shows:\n${text}\nserver output:\n${server.output()}`,
      );
      const rows = await page
        .locator('#events tbody tr')
        .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
      const view = rows.find((cells) => cells[1] === 'pageview');
      expect(view?.[2]).toBe(pageUrl);
      expect(view?.[3]).toBe('https://news.example/item/1');
      expect(view?.[5]).toBe('Chrome');
      // Stored truncated, as IP_STORAGE says by default.
      expect(['127.0.0.0', '0:0:0::']).toContain(view?.[6]);
      expect(rows.find((cells) => cells[1] === 'BashVisit')).toEqual(['2013-11-09 00:00:00', 'BashVisit', '/', '', '', 'cURL', '1.2.3.0']);
      expect(errors).toEqual([]);

      // The home page counts both.
      await page.goto(`${server.origin}/`);
      expect(await page.locator('tbody tr td.num').textContent()).toBe('2');
    } finally {
      await fixture?.close();
      await server.stop();
      await pgStore?.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
