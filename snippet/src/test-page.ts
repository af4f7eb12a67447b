// The harness of the tracker's tests: the built bundle (what the collector
// serves) in a fresh happy-dom window per test, loaded through a real
// <script src>, with what it sends recorded through happy-dom's fetch, which
// sendBeacon also goes through.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';
import { afterEach } from 'vitest';

const BUNDLE = fileURLToPath(new URL('../dist/sightline.js', import.meta.url));
const code = readFileSync(BUNDLE, 'utf8');
const SRC = 'https://stats.example/sightline.js';
export const ENDPOINT = 'https://stats.example/api/event';
export const STUB = 'window.sightline=window.sightline||function(){(sightline.q=sightline.q||[]).push(arguments)}';

interface Sent {
  url: string;
  body: Record<string, unknown>;
  keepalive: boolean;
}

export interface VisitOptions {
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
export async function visit({
  url = 'https://shop.example/pricing?plan=pro#faq',
  tag = { 'data-site': '7' },
  before,
  body = '',
  prepare,
}: VisitOptions = {}) {
  const sent: Sent[] = [];
  const warnings: string[] = [];
  const errors: unknown[] = [];
  const window = pageWindow(url, warnings);
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

/** A window at `url` that serves the bundle as SRC, answers every other request 202, and collects console warnings. */
function pageWindow(url: string, warnings: string[]): Window {
  return new Window({
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
}

export type Page = Awaited<ReturnType<typeof visit>>;

/** Replaces the page's clock (its own Date, not the test's) with one the test moves. */
export function clockAt(start: number) {
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

export function setHidden(window: Window, hidden: boolean): void {
  Object.defineProperty(window.document, 'hidden', { value: hidden, configurable: true });
  Object.defineProperty(window.document, 'visibilityState', { value: hidden ? 'hidden' : 'visible', configurable: true });
  window.document.dispatchEvent(new window.Event('visibilitychange', { bubbles: true }));
}

export function click(page: Page, selector: string, init: { button?: number; type?: 'click' | 'auxclick' } = {}): Promise<void> {
  const el = page.window.document.querySelector(selector);
  if (el === null) throw new Error(`no ${selector}`);
  el.dispatchEvent(new page.window.MouseEvent(init.type ?? 'click', { bubbles: true, cancelable: true, button: init.button ?? 0 }));
  return page.settle();
}
