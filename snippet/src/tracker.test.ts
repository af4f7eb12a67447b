// The tracker's page views, custom events, link clicks and engaged time, in
// happy-dom (test-page.ts).
import { describe, expect, it } from 'vitest';
import { click, clockAt, ENDPOINT, STUB, setHidden, visit } from './test-page.js';

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
