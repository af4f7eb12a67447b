// The tracker's skips (each named once in the console) and its transport,
// in happy-dom (test-page.ts).
import { describe, expect, it } from 'vitest';
import { ENDPOINT, type VisitOptions, visit } from './test-page.js';

describe('skips, each named once in the console', () => {
  it.each([
    ['no-site', { tag: {} }],
    ['no-site', { tag: { 'data-site': 'abc' } }],
    ['local', { url: 'http://localhost:3000/' }],
    ['local', { url: 'http://127.0.0.1:8080/' }],
    ['local', { url: 'http://[::1]/' }],
    ['local', { url: 'file:///home/me/page.html' }],
    ['webdriver', { prepare: (w: Window) => Object.defineProperty(w.navigator, 'webdriver', { value: true }) }],
    ['opt-out', { prepare: (w: Window) => w.localStorage.setItem('sightline_ignore', 'true') }],
    ['dnt', { prepare: (w: Window) => Object.defineProperty(w.navigator, 'doNotTrack', { value: '1' }) }],
    ['dnt', { prepare: (w: Window) => Object.defineProperty(w.navigator, 'globalPrivacyControl', { value: true }) }],
    ['frame', { prepare: (w: Window) => Object.defineProperty(w, 'top', { value: {} }) }],
  ] as Array<[string, VisitOptions]>)('skips with "%s"', async (reason, options) => {
    const page = await visit(options);
    (page.window as unknown as { sightline: (n: string) => void }).sightline('Try');
    await page.settle();
    expect(page.sent).toEqual([]);
    expect(page.warnings).toEqual([`sightline: ${reason}`]);
    expect(page.errors).toEqual([]);
  });

  it.each([
    ['data-allow-local', { url: 'http://localhost:3000/', tag: { 'data-site': '7', 'data-allow-local': '' } }],
    [
      'data-allow-dnt',
      {
        tag: { 'data-site': '7', 'data-allow-dnt': '' },
        prepare: (w: Window) => Object.defineProperty(w.navigator, 'globalPrivacyControl', { value: true }),
      },
    ],
    [
      'data-allow-frame',
      { tag: { 'data-site': '7', 'data-allow-frame': '' }, prepare: (w: Window) => Object.defineProperty(w, 'top', { value: {} }) },
    ],
  ] as Array<[string, VisitOptions]>)('counts anyway with %s', async (_label, options) => {
    const page = await visit(options);
    expect(page.sent).toHaveLength(1);
    expect(page.warnings).toEqual([]);
  });

  it('names the error once when storage is blocked, and sends nothing', async () => {
    const page = await visit({
      prepare: (w) =>
        Object.defineProperty(w, 'localStorage', {
          get() {
            throw new Error('The operation is insecure.');
          },
        }),
    });
    page.window.history.pushState({}, '', '/next');
    await page.settle();
    expect(page.sent).toEqual([]);
    expect(page.warnings).toEqual(['sightline: Error: The operation is insecure.']);
    expect(page.errors).toEqual([]);
  });

  it('honours an opt-out set while the page is open', async () => {
    const page = await visit();
    page.window.localStorage.setItem('sightline_ignore', 'true');
    page.window.history.pushState({}, '', '/later');
    await page.settle();
    expect(page.sent).toHaveLength(1);
    expect(page.warnings).toEqual(['sightline: opt-out']);
  });

  it('waits for a prerendered page to be shown, then counts it', async () => {
    const page = await visit({ prepare: (w) => Object.defineProperty(w.document, 'prerendering', { value: true, configurable: true }) });
    expect(page.sent).toEqual([]);
    expect(page.warnings).toEqual(['sightline: prerender']);
    Object.defineProperty(page.window.document, 'prerendering', { value: false });
    page.window.document.dispatchEvent(new page.window.Event('prerenderingchange'));
    await page.settle();
    expect(page.bodies()).toEqual([{ s: 7, u: 'https://shop.example/pricing?plan=pro', r: '' }]);
  });
});

describe('transport', () => {
  it('sends to data-api instead of the script host', async () => {
    const page = await visit({ tag: { 'data-site': '7', 'data-api': '/stats/event' } });
    expect(page.sent[0]?.url).toBe('https://stats.example/stats/event');
    const proxied = await visit({ tag: { 'data-site': '7', 'data-api': 'https://shop.example/_s/e' } });
    expect(proxied.sent[0]?.url).toBe('https://shop.example/_s/e');
  });

  it.each([
    ['is missing', () => undefined],
    ['refuses the event', () => () => false],
  ])('falls back to fetch with keepalive when sendBeacon %s', async (_label, replacement) => {
    const page = await visit({ prepare: (w) => Object.defineProperty(w.navigator, 'sendBeacon', { value: replacement() }) });
    expect(page.sent).toEqual([{ url: ENDPOINT, keepalive: true, body: { s: 7, u: 'https://shop.example/pricing?plan=pro', r: '' } }]);
  });

  it('never throws into the page, and never retries', async () => {
    const page = await visit({
      prepare: (w) =>
        Object.defineProperty(w.navigator, 'sendBeacon', {
          value: () => {
            throw new TypeError('refused');
          },
        }),
    });
    page.window.history.pushState({}, '', '/next');
    await page.settle();
    expect(page.sent).toEqual([]);
    expect(page.errors).toEqual([]);
  });

  it('stays silent with an unusable data-api', async () => {
    const page = await visit({ tag: { 'data-site': '7', 'data-api': 'http://[bad' } });
    expect(page.sent).toEqual([]);
    expect(page.errors).toEqual([]);
  });
});
