import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Page, parseHttpUrl, parsePage } from './page.js';

/** What URL itself says, the reference for both paths of parsePage. */
function byUrl(text: string): Page | null {
  const url = parseHttpUrl(text);
  return url === null ? null : { hostname: url.hostname, query: url.search.slice(1) };
}

/** The campaign parameters as trafficSource reads them. */
const params = (page: Page | null) => (page === null ? null : [...new URLSearchParams(page.query)]);

function expectSameAsUrl(text: string): void {
  const ours = parsePage(text);
  const reference = byUrl(text);
  expect(ours?.hostname, text).toBe(reference?.hostname);
  expect(params(ours), text).toEqual(params(reference));
}

// Pieces that exercise each way a URL can leave the plain path, or fail.
const scheme = fc.constantFrom('https://', 'http://', 'HTTP://', 'https:', 'ftp://', ' https://', 'https:\\\\', '');
const label = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{1,8}$/),
  fc.constantFrom('example', 'www', 'com', 'xn--bcher-kva', '0x7f', '08', '1', '255', 'EXAMPLE', 'bücher', '', '-'),
);
const host = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.')),
  fc.constantFrom('[::1]', 'user@example.com', 'example.com:8080', 'example.com:99999', 'example.com.', 'exa\tmple.com', '1.2.3.4'),
);
const piece = fc.constantFrom(
  '/',
  '?',
  '#',
  '&',
  '=',
  '+',
  '%20',
  '%zz',
  '%E9',
  'utm_source',
  'ref',
  ' ',
  '\t',
  '\n',
  '\\',
  'é',
  '\u0001',
  "'",
);
const tail = fc.array(fc.oneof(piece, fc.string({ maxLength: 6 })), { maxLength: 10 }).map((parts) => parts.join(''));

describe('parsePage', () => {
  it.each([
    ['https://example.com/a?utm_source=news&x=1#top', { hostname: 'example.com', query: 'utm_source=news&x=1' }],
    ['https://example.com', { hostname: 'example.com', query: '' }],
    ['http://docs.example.com?ref=blog', { hostname: 'docs.example.com', query: 'ref=blog' }],
    ['https://example.com/#a?b=c', { hostname: 'example.com', query: '' }],
    ['https://Example.COM:443/x?y', { hostname: 'example.com', query: 'y' }],
    ['https://xn--bcher-kva.example/', { hostname: 'xn--bcher-kva.example', query: '' }],
    ['https://bücher.example/', { hostname: 'xn--bcher-kva.example', query: '' }],
    ['http://0x7f.1/', { hostname: '127.0.0.1', query: '' }],
    ['https://example.com/?a=b\n', { hostname: 'example.com', query: 'a=b' }],
  ])('reads %s', (text, expected) => {
    expect(parsePage(text)).toEqual(expected);
  });

  it.each([['not a url'], ['/relative'], ['android-app://com.slack'], ['https://example.08/'], ['https://example.com:99999/'], ['']])(
    'refuses %s',
    (text) => {
      expect(parsePage(text)).toBeNull();
    },
  );

  it('agrees with URL on host and query parameters, whichever path a URL takes', () => {
    fc.assert(
      fc.property(scheme, host, tail, (s, h, t) => expectSameAsUrl(`${s}${h}${t}`)),
      { numRuns: 5000 },
    );
  });
});
