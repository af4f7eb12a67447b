// Runs the built bundle (what the collector serves) in a fresh happy-dom
// window per test, loaded through a real <script src>, and records what it
// sends through happy-dom's fetch, which sendBeacon also goes through.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';
import { afterEach, describe, expect, it } from 'vitest';

const BUNDLE = fileURLToPath(new URL('../dist/sightline.js', import.meta.url));
const code = readFileSync(BUNDLE, 'utf8');
const SRC = 'https://stats.example/sightline.js';
const ENDPOINT = 'https://stats.example/api/event';
const STUB = 'window.sightline=window.sightline||function(){(sightline.q=sightline.q||[]).push(arguments)}';

interface Sent {
  url: string;
  body: Record<string, unknown>;
  keepalive: boolean;
}

interface VisitOptions {
  /** The page's URL. */
  url?: string;
  /** Attributes of the tracker tag, besides src. */
  tag?: Record<string, string>;
  /** Inline script run before the tracker loads. */
  before?: string;
  body?: string;
  /** Changes the window before the tracker runs (privacy signals, storage, …). */
  prepare?: (window: Window) => void;
}

const open: Window[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.happyDOM.close()));
});

/** Loads a page with the tracker tag and returns what it sent and logged. */
async function visit({
  url = 'https://shop.example/pricing?plan=pro#faq',
  tag = { 'data-site': '7' },
  before,
  body = '',
  prepare,
}: VisitOptions = {}) {
  const sent: Sent[] = [];
  const warnings: string[] = [];
  const errors: unknown[] = [];
  const window = new Window({
    url,
    console: { ...console, warn: (...args: unknown[]) => warnings.push(args.join(' ')) } as Console,
    settings: {
      enableJavaScriptEvaluation: true,
      suppressInsecureJavaScriptEnvironmentWarning: true,
      // Link clicks must not navigate away, or even change the URL.
      navigation: { disableMainFrameNavigation: true, disableFallbackToSetURL: true },
      fetch: {
        interceptor: {
          // A parser-inserted <script src> loads synchronously.
          beforeSyncRequest: ({ request, window: w }) =>
            request.url === SRC
              ? {
                  status: 200,
                  statusText: 'OK',
                  ok: true,
                  url: SRC,
                  redirected: false,
                  headers: new w.Headers({ 'content-type': 'text/javascript' }),
                  body: Buffer.from(code),
                }
              : undefined,
          beforeAsyncRequest: async ({ window: w }) => new w.Response(null, { status: 202 }),
        },
      },
    },
  });
  open.push(window);
  // happy-dom's sendBeacon posts through window.fetch as well, without
  // keepalive; the tracker's own fetch fallback sets it.
  const fetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    sent.push({
      url: String(input),
      body: JSON.parse(String(init?.body)),
      keepalive: (init as RequestInit | undefined)?.keepalive === true,
    });
    return fetch(input, init);
  };
  // A person's browser: happy-dom reports itself as automated by default.
  Object.defineProperty(window.navigator, 'webdriver', { value: false, configurable: true });
  window.addEventListener('error', (event) => errors.push((event as unknown as { error: unknown }).error));
  prepare?.(window);
  const doc = window.document;
  doc.body.innerHTML = body;
  if (before !== undefined) {
    const inline = doc.createElement('script');
    inline.textContent = before;
    doc.head.appendChild(inline);
  }
  const script = doc.createElement('script');
  for (const [name, value] of Object.entries(tag)) script.setAttribute(name, value);
  script.src = SRC;
  doc.head.appendChild(script);
  await window.happyDOM.waitUntilComplete();
  const settle = () => window.happyDOM.waitUntilComplete();
  return { window, sent, warnings, errors, settle, bodies: () => sent.map((s) => s.body) };
}

type Page = Awaited<ReturnType<typeof visit>>;

/** Replaces the page's clock (its own Date, not the test's) with one the test moves. */
function clockAt(start: number) {
  let now = start;
  return {
    install: (window: Window) => {
      (window as unknown as { Date: DateConstructor }).Date.now = () => now;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function setHidden(window: Window, hidden: boolean): void {
  Object.defineProperty(window.document, 'hidden', { value: hidden, configurable: true });
  Object.defineProperty(window.document, 'visibilityState', { value: hidden ? 'hidden' : 'visible', configurable: true });
  window.document.dispatchEvent(new window.Event('visibilitychange', { bubbles: true }));
}

function click(page: Page, selector: string, init: { button?: number; type?: 'click' | 'auxclick' } = {}): Promise<void> {
  const el = page.window.document.querySelector(selector);
  if (el === null) throw new Error(`no ${selector}`);
  el.dispatchEvent(new page.window.MouseEvent(init.type ?? 'click', { bubbles: true, cancelable: true, button: init.button ?? 0 }));
  return page.settle();
}

describe('page views', () => {
  it('sends one page view on load, with the URL minus its fragment and the referrer', async () => {
    const page = await visit({
      prepare: (w) => Object.defineProperty(w.document, 'referrer', { value: 'https://search.example/?q=shoes' }),
    });
    expect(page.sent).toEqual([
      { url: ENDPOINT, keepalive: false, body: { s: 7, u: 'https://shop.example/pricing?plan=pro', r: 'https://search.example/?q=shoes' } },
    ]);
    expect(page.warnings).toEqual([]);
  });

  it('counts pushState to a new path as a new view, without the referrer', async () => {
    const page = await visit({ prepare: (w) => Object.defineProperty(w.document, 'referrer', { value: 'https://search.example/' }) });
    page.window.history.pushState({}, '', '/checkout');
    await page.settle();
    expect(page.bodies()).toEqual([
      { s: 7, u: 'https://shop.example/pricing?plan=pro', r: 'https://search.example/' },
      { s: 7, u: 'https://shop.example/checkout', r: '' },
    ]);
  });

  it('does not count a replaceState that keeps the path, even with a new query', async () => {
    const page = await visit();
    page.window.history.replaceState({}, '', '/pricing?plan=pro');
    page.window.history.replaceState({}, '', '/pricing?plan=team');
    await page.settle();
    expect(page.sent).toHaveLength(1);
    page.window.history.replaceState({}, '', '/login');
    await page.settle();
    expect(page.bodies().at(-1)).toEqual({ s: 7, u: 'https://shop.example/login', r: '' });
  });

  it('counts popstate (back and forward) when the path changed', async () => {
    const page = await visit();
    page.window.history.pushState({}, '', '/a');
    page.window.history.pushState({}, '', '/b');
    page.window.history.back();
    await page.settle();
    page.window.dispatchEvent(new page.window.PopStateEvent('popstate'));
    await page.settle();
    expect(page.bodies().map((b) => b.u)).toEqual([
      'https://shop.example/pricing?plan=pro',
      'https://shop.example/a',
      'https://shop.example/b',
      'https://shop.example/a',
    ]);
  });

  it('keeps the fragment and counts fragment changes with data-hash', async () => {
    const page = await visit({ url: 'https://app.example/#/inbox', tag: { 'data-site': '7', 'data-hash': '' } });
    page.window.history.pushState({}, '', '#/settings');
    page.window.history.pushState({}, '', '#/settings');
    await page.settle();
    expect(page.bodies().map((b) => b.u)).toEqual(['https://app.example/#/inbox', 'https://app.example/#/settings']);
  });

  it('ignores fragment changes without data-hash', async () => {
    const page = await visit({ url: 'https://app.example/#/inbox' });
    page.window.history.pushState({}, '', '#/settings');
    await page.settle();
    expect(page.bodies().map((b) => b.u)).toEqual(['https://app.example/']);
  });

  it('counts a page restored from the back/forward cache again, without sending its referrer twice', async () => {
    const page = await visit({ prepare: (w) => Object.defineProperty(w.document, 'referrer', { value: 'https://search.example/' }) });
    const restored = Object.assign(new page.window.Event('pageshow'), { persisted: true });
    const fresh = Object.assign(new page.window.Event('pageshow'), { persisted: false });
    page.window.dispatchEvent(fresh);
    page.window.dispatchEvent(restored);
    await page.settle();
    expect(page.bodies()).toEqual([
      { s: 7, u: 'https://shop.example/pricing?plan=pro', r: 'https://search.example/' },
      { s: 7, u: 'https://shop.example/pricing?plan=pro', r: '' },
    ]);
  });
});

describe('custom events', () => {
  it('sends sightline(name, {props})', async () => {
    const page = await visit();
    (page.window as unknown as { sightline: (n: string, o?: unknown) => void }).sightline('Signup', { props: { plan: 'pro', seats: 3 } });
    (page.window as unknown as { sightline: (n: string, o?: unknown) => void }).sightline('Play');
    await page.settle();
    expect(page.bodies().slice(1)).toEqual([
      { s: 7, u: 'https://shop.example/pricing?plan=pro', n: 'Signup', p: { plan: 'pro', seats: 3 } },
      { s: 7, u: 'https://shop.example/pricing?plan=pro', n: 'Play' },
    ]);
  });

  it('replays calls queued by the stub, in order, after the page view', async () => {
    const page = await visit({ before: `${STUB};sightline('First');sightline('Second',{props:{n:2}})` });
    expect(page.bodies()).toEqual([
      { s: 7, u: 'https://shop.example/pricing?plan=pro', r: '' },
      { s: 7, u: 'https://shop.example/pricing?plan=pro', n: 'First' },
      { s: 7, u: 'https://shop.example/pricing?plan=pro', n: 'Second', p: { n: 2 } },
    ]);
  });

  it('sends data-sightline-event clicks with their data-sightline-prop-* attributes', async () => {
    const page = await visit({
      body: '<button data-sightline-event="Subscribe" data-sightline-prop-plan="pro" data-sightline-prop-billing-cycle="yearly" data-other="x"><span id="inner">Go</span></button>',
    });
    await click(page, '#inner');
    expect(page.bodies().at(-1)).toEqual({
      s: 7,
      u: 'https://shop.example/pricing?plan=pro',
      n: 'Subscribe',
      p: { plan: 'pro', 'billing-cycle': 'yearly' },
    });
  });
});

describe('link clicks', () => {
  const body = [
    '<a id="out" href="https://partner.example/deal">partner</a>',
    '<a id="pdf" href="/files/price-list.pdf">prices</a>',
    '<a id="attr" href="/export?format=csv" download>export</a>',
    '<a id="page" href="/about.html">about</a>',
    '<a id="inside" href="/team">team</a>',
    '<a id="mail" href="mailto:hi@shop.example">mail</a>',
  ].join('');

  it.each([
    ['an outbound link', '#out', { o: 'https://partner.example/deal' }],
    ['a file link', '#pdf', { d: 'https://shop.example/files/price-list.pdf' }],
    ['a link with a download attribute', '#attr', { d: 'https://shop.example/export?format=csv' }],
  ])('sends %s on click and on middle click', async (_label, selector, expected) => {
    const page = await visit({ body });
    await click(page, selector);
    await click(page, selector, { type: 'auxclick', button: 1 });
    expect(page.bodies().slice(1)).toEqual([
      { s: 7, u: 'https://shop.example/pricing?plan=pro', ...expected },
      { s: 7, u: 'https://shop.example/pricing?plan=pro', ...expected },
    ]);
  });

  it('ignores right clicks, internal pages and mailto: links', async () => {
    const page = await visit({ body });
    await click(page, '#out', { type: 'auxclick', button: 2 });
    await click(page, '#page');
    await click(page, '#inside');
    await click(page, '#mail');
    expect(page.bodies()).toEqual([page.bodies()[0]]);
  });

  it('does not cancel the navigation', async () => {
    const page = await visit({ body });
    const el = page.window.document.querySelector('#out');
    const event = new page.window.MouseEvent('click', { bubbles: true, cancelable: true });
    el?.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
  });
});

describe('engagement', () => {
  it('sends the visible time once when the page is hidden, and again only for new visible time', async () => {
    const clock = clockAt(1_000_000);
    const page = await visit({ prepare: clock.install });
    clock.advance(12_500);
    setHidden(page.window, true);
    page.window.dispatchEvent(Object.assign(new page.window.Event('pagehide'), { persisted: false }));
    await page.settle();
    clock.advance(47_500); // hidden time does not count
    setHidden(page.window, false);
    clock.advance(3_000);
    page.window.dispatchEvent(Object.assign(new page.window.Event('pagehide'), { persisted: false }));
    await page.settle();
    expect(page.bodies().slice(1)).toEqual([
      { s: 7, u: 'https://shop.example/pricing?plan=pro', e: 12_500 },
      { s: 7, u: 'https://shop.example/pricing?plan=pro', e: 3_000 },
    ]);
  });

  it('reports the time of the view that ends on in-app navigation, under its own URL', async () => {
    const clock = clockAt(5_000_000);
    const page = await visit({ prepare: clock.install });
    clock.advance(4_000);
    page.window.history.pushState({}, '', '/next');
    await page.settle();
    expect(page.bodies().slice(1)).toEqual([
      { s: 7, u: 'https://shop.example/pricing?plan=pro', e: 4_000 },
      { s: 7, u: 'https://shop.example/next', r: '' },
    ]);
  });

  it('does not report stretches under a second', async () => {
    const clock = clockAt(9_000_000);
    const page = await visit({ prepare: clock.install });
    clock.advance(900);
    setHidden(page.window, true);
    page.window.dispatchEvent(Object.assign(new page.window.Event('pagehide'), { persisted: false }));
    await page.settle();
    expect(page.sent).toHaveLength(1);
  });
});

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
