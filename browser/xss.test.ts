// Visitors choose every value an event carries. Sent through the collector's
// real routes, hostile values must show on the owner's report and on a share
// link as text, in real Chromium, and nothing of them may run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../scripts/server.js';
import { browserSkipReason, launchChromium } from '../test/browser.js';
import { registerAndAddSite } from '../test/browser-pages.js';
import { createTestStore, dialects } from '../test/store.js';

const skip = browserSkipReason();

// Each payload sets window.__xss to its own number if it ever runs.
const SITE_URL = 'https://shop.example';
const beacon = {
  // On the site's domain: the collector drops pages on other hosts, and the test would see nothing.
  u: `${SITE_URL}/p?<script>window.__xss=1</script>`,
  r: 'javascript:window.__xss=2',
  n: '<img src=x onerror="window.__xss=3">',
  p: { '<script>k</script>': '<svg onload=window.__xss=4>' },
};
const visit = {
  event: '<script>window.__xss=5</script>',
  url: 'javascript:window.__xss=6',
  browser: '<b>x</b>',
  ip_address: '1.2.3.4',
  date: '2013-11-09',
};
/** The beacon's property as the report's details cell writes it. */
const propShown = '<script>k</script>: <svg onload=window.__xss=4>';
/** Each payload as the report must show it: the text sent, character for character. */
const shownAsText = [beacon.u, beacon.r, beacon.n, propShown, visit.event, visit.url, visit.browser];

// isbot takes Node's own User-Agent ("node") for a bot, and a dropped event still gets its 202.
const CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

/** What a page did and holds, once loaded. */
interface Inspection {
  status: number | undefined;
  csp: string | undefined;
  ranPayload: boolean;
  dialogs: string[];
  errors: string[];
  eventsText: string;
  scriptsInEvents: number;
  handlersInEvents: string[];
  javascriptLinks: string[];
}

/** Opens `url` in a new page of `context`, recording dialogs, errors and CSP refusals, and looks at what it holds. */
async function inspect(context: BrowserContext, url: string): Promise<Inspection> {
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  // A refusal means markup got through escaping and only the policy stopped it.
  page.on('console', (message) => message.text().includes('Content Security Policy') && errors.push(message.text()));
  const response = await page.goto(url);
  const found = await page.evaluate(() => {
    const events = document.querySelector('#events');
    const inEvents = Array.from(events?.querySelectorAll('*') ?? []);
    return {
      ranPayload: '__xss' in window,
      eventsText: events?.textContent ?? '',
      scriptsInEvents: inEvents.filter((element) => element.localName === 'script').length,
      handlersInEvents: inEvents.flatMap((element) =>
        element.getAttributeNames().flatMap((name) => (name.toLowerCase().startsWith('on') ? [`<${element.localName} ${name}>`] : [])),
      ),
      // The scheme as the browser parsed it, so that leading spaces or mixed case do not hide one.
      javascriptLinks: Array.from(document.querySelectorAll('a'))
        .filter((a) => a.protocol === 'javascript:')
        .map((a) => a.getAttribute('href') ?? ''),
    };
  });
  await page.close();
  return { status: response?.status(), csp: response?.headers()['content-security-policy'], dialogs, errors, ...found };
}

function expectInert(page: Inspection): void {
  expect(page.status).toBe(200);
  expect(page.ranPayload).toBe(false);
  expect(page.dialogs).toEqual([]);
  expect(page.errors).toEqual([]);
  for (const text of shownAsText) expect(page.eventsText).toContain(text);
  expect(page.scriptsInEvents).toBe(0);
  expect(page.handlersInEvents).toEqual([]);
  expect(page.javascriptLinks).toEqual([]);
  expect(page.csp).toContain("frame-ancestors 'none'");
  expect(page.csp).not.toContain("'unsafe-inline'");
}

describe.skipIf(skip !== undefined).each(dialects)('hostile event values on %s', (dialect) => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows them as text on the report and on a share link, and runs none of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-xss-'));
    const pgStore = dialect === 'postgres' ? await createTestStore('postgres') : undefined;
    const server = await startServer(pgStore?.url ?? `sqlite:${join(dir, 'sightline.db')}`);
    const owner = await browser.newContext();
    const stranger = await browser.newContext();
    try {
      const page = await owner.newPage();
      const siteId = await registerAndAddSite(page, server.origin, SITE_URL);

      const sent = await fetch(`${server.origin}/api/event`, {
        method: 'POST',
        body: JSON.stringify({ s: siteId, ...beacon }),
        headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME_UA },
      });
      expect(sent.status).toBe(202);
      expect(sent.headers.get('x-sightline-dropped')).toBeNull();
      const posted = await fetch(`${server.origin}/site/${siteId}/visit`, {
        method: 'POST',
        body: new URLSearchParams(visit),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': CHROME_UA },
      });
      expect(posted.status).toBe(201);
      expect(await posted.text()).toBe(`Added visit for site ${siteId}\n`);

      // Both stored whole, each value in its own cell: the payloads reach the page for real.
      await page.goto(`${server.origin}/site/${siteId}`);
      const rows = await page
        .locator('#events tbody tr')
        .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
      expect(rows).toHaveLength(2);
      expect(rows.find((cells) => cells[1] === beacon.n)?.slice(1, 6)).toEqual([beacon.n, beacon.u, beacon.r, propShown, 'Chrome']);
      expect(rows.find((cells) => cells[1] === visit.event)).toEqual([
        '2013-11-09 00:00:00',
        visit.event,
        visit.url,
        '',
        '',
        visit.browser,
        '1.2.3.0',
      ]);

      await page.goto(`${server.origin}/site/${siteId}/settings`);
      await page.click(`form[action="/site/${siteId}/shares"] button[type=submit]`);
      const shareLink = ((await page.locator('#share-link').textContent()) ?? '').trim();
      // Without PUBLIC_URL, links point at the listen address, never at the request's Host.
      expect(shareLink.startsWith(`http://localhost:${new URL(server.origin).port}/share/`)).toBe(true);

      expectInert(await inspect(owner, `${server.origin}/site/${siteId}`));
      // Another browser, signed in to nothing: the link is all it has.
      expectInert(await inspect(stranger, shareLink));
    } finally {
      await owner.close();
      await stranger.close();
      await server.stop();
      await pgStore?.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
