// The tracker in real Chromium against the real built server: each test
// checks what the collector stored, read straight from its SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../core/db/connect.js';
import type { Event } from '../core/db/schema.js';
import { installSnippet } from '../dashboard/sites.js';
import { type RunningServer, startServer, waitFor } from '../scripts/server.js';
import { browserSkipReason, FIXTURE_HOST, type FixtureServer, launchChromium, serveFixtures } from '../test/browser.js';

describe.skipIf(browserSkipReason() !== undefined)('tracker in Chromium', () => {
  let dir: string;
  let store: Store;
  let server: RunningServer;
  let fixtures: FixtureServer;
  let browser: Browser;
  let context: BrowserContext;
  let consoleLines: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-tracker-'));
    const path = join(dir, 'sightline.db');
    store = openStore({ dialect: 'sqlite', path });
    await migrate(store.db);
    await store.db
      .insertInto('sites')
      .values({ base_url: `http://${FIXTURE_HOST}`, domain: FIXTURE_HOST, name: 'Customer', created_at: 0 })
      .execute();
    server = await startServer(`sqlite:${path}`);
    fixtures = await serveFixtures(installSnippet(server.origin, 1));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await fixtures?.close();
    await server?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await context?.close();
  });

  async function open(path: string, prepare?: (page: Page) => Promise<void>): Promise<Page> {
    context = await browser.newContext();
    const page = await context.newPage();
    consoleLines = [];
    page.on('console', (message) => consoleLines.push(message.text()));
    page.on('pageerror', (error) => consoleLines.push(`page error: ${error.message}`));
    await prepare?.(page);
    await page.goto(`${fixtures.origin}${path}`);
    return page;
  }

  /** Events stored for pages under `/prefix/`, oldest first. */
  async function storedUnder(prefix: string): Promise<Event[]> {
    return store.db.selectFrom('events').selectAll().where('url', 'like', `${fixtures.origin}/${prefix}/%`).orderBy('id').execute();
  }

  /** Waits until `count` events are stored under `/prefix/` and returns them. */
  async function waitForStored(prefix: string, count: number): Promise<Event[]> {
    let events: Event[] = [];
    await waitFor(
      async () => {
        events = await storedUnder(prefix);
        return events.length >= count;
      },
      10_000,
      () => `expected ${count} events under /${prefix}/, got ${JSON.stringify(events, null, 1)}\nconsole: ${consoleLines.join('\n')}`,
    );
    return events;
  }

  it('counts single-page-app navigation through pushState, and back', async () => {
    const page = await open('/spa-nav/spa.html');
    await waitForStored('spa-nav', 1);
    await page.click('#push');
    await waitForStored('spa-nav', 2);
    await page.goBack();
    const events = await waitForStored('spa-nav', 3);
    expect(events.map((e) => [e.name, e.url.replace(fixtures.origin, '')])).toEqual([
      ['pageview', '/spa-nav/spa.html'],
      ['pageview', '/spa-nav/step-2'],
      ['pageview', '/spa-nav/spa.html'],
    ]);
    expect(consoleLines).toEqual([]);
  });

  it('sends custom events with props, from the JS API and from tagged elements', async () => {
    const page = await open('/custom/spa.html');
    await waitForStored('custom', 1);
    await page.evaluate(() =>
      (window as unknown as { sightline: (n: string, o: unknown) => void }).sightline('Signup', { props: { plan: 'pro', seats: 3 } }),
    );
    await page.click('#signup');
    const events = await waitForStored('custom', 3);
    expect(events.slice(1).map((e) => [e.name, JSON.parse(e.props ?? 'null')])).toEqual([
      ['Signup', { plan: 'pro', seats: 3 }],
      ['Trial', { plan: 'team' }],
    ]);
  });

  it('replays calls queued by the stub before the tracker loaded, after the page view', async () => {
    await open('/queue/queued.html');
    const events = await waitForStored('queue', 3);
    // The page view goes first; the two queued calls leave as two requests
    // at once, and the server may store either first.
    expect(events[0]).toMatchObject({ name: 'pageview', props: null });
    expect(
      events
        .slice(1)
        .map((e) => [e.name, e.props])
        .sort(),
    ).toEqual([
      ['Queued first', null],
      ['Queued second', '{"step":2}'],
    ]);
  });

  it('sends an outbound link click without holding up the navigation', async () => {
    const page = await open('/outbound/spa.html');
    await waitForStored('outbound', 1);
    await Promise.all([page.waitForURL('http://partner.test/landing', { waitUntil: 'commit' }).catch(() => {}), page.click('#out')]);
    const events = await waitForStored('outbound', 2);
    expect(events[1]).toMatchObject({ name: 'Outbound Link', props: '{"url":"http://partner.test/landing"}' });
  });

  it('sends a file download click', async () => {
    const page = await open('/download/spa.html');
    await waitForStored('download', 1);
    await page.click('#pdf');
    const events = await waitForStored('download', 2);
    expect(events[1]).toMatchObject({ name: 'File Download', props: `{"url":"${fixtures.origin}/download/files/report.pdf"}` });
  });

  it('sends engaged time when the tab is hidden', async () => {
    const page = await open('/hidden/page.html');
    await waitForStored('hidden', 1);
    await page.waitForTimeout(1_200);
    // Headless Chromium keeps every tab visible, so the page is told it is
    // hidden the way the browser would tell it; the beacon itself is real.
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { value: true, configurable: true });
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    });
    const events = await waitForStored('hidden', 2);
    expect(events[1]?.name).toBe('engagement');
    expect(events[1]?.engaged_ms).toBeGreaterThanOrEqual(1_200);
    expect(events[1]?.engaged_ms).toBeLessThan(10_000);
  });

  it('sends engaged time when the page is left', async () => {
    const page = await open('/leave/page.html');
    await waitForStored('leave', 1);
    await page.waitForTimeout(1_200);
    await page.goto('about:blank');
    const events = await waitForStored('leave', 2);
    expect(events[1]).toMatchObject({ name: 'engagement', url: `${fixtures.origin}/leave/page.html` });
    expect(events[1]?.engaged_ms).toBeGreaterThanOrEqual(1_200);
  });

  it('honours Global Privacy Control: nothing is sent, and the console says why', async () => {
    await open('/gpc/page.html', async (page) => {
      await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
    });
    await waitFor(
      () => consoleLines.includes('sightline: dnt'),
      5_000,
      () => `no skip message; console: ${consoleLines.join('\n')}`,
    );
    // The same page without the signal is counted (below), so silence here is the tracker's choice.
    expect(await storedUnder('gpc')).toEqual([]);
    await open('/gpc-off/page.html');
    expect(await waitForStored('gpc-off', 1)).toHaveLength(1);
  });

  it('counts a page view without JavaScript through the <noscript> image', async () => {
    context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${fixtures.origin}/no-js/page.html?from=newsletter`);
    const events = await waitForStored('no-js', 1);
    expect(events).toMatchObject([{ name: 'pageview', url: `${fixtures.origin}/no-js/page.html?from=newsletter`, referrer: null }]);
  });

  it('skips automated browsers, naming the reason', async () => {
    const automated = await launchChromium({ automation: true });
    try {
      const page = await automated.newPage();
      const lines: string[] = [];
      page.on('console', (message) => lines.push(message.text()));
      await page.goto(`${fixtures.origin}/automated/page.html`);
      await waitFor(
        () => lines.includes('sightline: webdriver'),
        5_000,
        () => `no skip message; console: ${lines.join('\n')}`,
      );
      expect(await storedUnder('automated')).toEqual([]);
    } finally {
      await automated.close();
    }
  });
});
