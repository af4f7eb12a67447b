// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { eventEndpoint, type Host, start } from './tracker.js';

/** happy-dom's window, with sendBeacon recording what it was given. */
function host(sendBeacon?: (url: string, body: string) => boolean) {
  const sent: Array<{ url: string; body: unknown }> = [];
  const warnings: unknown[][] = [];
  const h: Host = {
    location: window.location,
    document: window.document,
    navigator: {
      sendBeacon:
        sendBeacon ??
        ((url, body) => {
          sent.push({ url, body: JSON.parse(body) });
          return true;
        }),
    },
    console: { warn: (...args) => warnings.push(args) },
  };
  return { h, sent, warnings };
}

function tag(attributes: Record<string, string>): HTMLScriptElement {
  const script = document.createElement('script');
  // Not appended: happy-dom would try to fetch src.
  for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value);
  return script;
}

describe('tracker', () => {
  it('finds the collector from its own src', () => {
    expect(eventEndpoint('https://stats.example.org/sightline.js')).toBe('https://stats.example.org/api/event');
    expect(eventEndpoint('http://localhost:8787/sightline.js?v=2')).toBe('http://localhost:8787/api/event');
  });

  it('sends one page view on start, with the page URL and referrer', () => {
    (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL('https://shop.example.com/cart?x=1');
    const { h, sent, warnings } = host();
    start(tag({ src: 'https://stats.example.org/sightline.js', 'data-site': '7' }), h);
    expect(sent).toEqual([
      {
        url: 'https://stats.example.org/api/event',
        body: { site: 7, name: 'pageview', url: 'https://shop.example.com/cart?x=1', referrer: document.referrer },
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['no script tag', null],
    ['no data-site', { src: 'https://s.example/sightline.js' }],
    ['a data-site that is not an id', { src: 'https://s.example/sightline.js', 'data-site': 'abc' }],
    ['no src', { 'data-site': '1' }],
  ])('warns once and sends nothing with %s', (_label, attributes) => {
    const { h, sent, warnings } = host();
    start(attributes === null ? null : tag(attributes), h);
    expect(sent).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.[0])).toContain('data-site');
  });

  it('never throws into the page when sending fails', () => {
    const { h } = host(() => {
      throw new TypeError('beacon refused');
    });
    expect(() => start(tag({ src: 'https://s.example/sightline.js', 'data-site': '1' }), h)).not.toThrow();
  });

  it('does nothing, and does not throw, without sendBeacon', () => {
    const { h } = host();
    h.navigator = {};
    expect(() => start(tag({ src: 'https://s.example/sightline.js', 'data-site': '1' }), h)).not.toThrow();
  });
});
