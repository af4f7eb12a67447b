import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHttpUrl, parsePage, queryParams } from './page.js';

/** Host and parameters as parsePage and queryParams read them, for trafficSource. */
function ours(text: string) {
  const page = parsePage(text);
  return page === null ? null : { hostname: page.hostname, params: [...queryParams(page)] };
}

/** Host and parameters as URL itself reads them: the reference for both paths. */
function byUrl(text: string) {
  const url = parseHttpUrl(text);
  return url === null ? null : { hostname: url.hostname, params: [...url.searchParams] };
}

function expectSameAsUrl(text: string): void {
  expect(ours(text), text).toEqual(byUrl(text));
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
  '??',
  '#',
  '&',
  '=',
  '+',
  '%20',
  '%zz',
  '%E9',
  'utm_source=',
  'ref=',
  ' ',
  '\t',
  '\n',
  '\\',
  'é',
  '😀',
  '\u0001',
  '\u007f',
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

  it.each([
    ['https://example.com/?utm_source=caf%E9-été', 'caf\ufffd-été'],
    ['https://example.com/?utm_source=😀%E9', '😀\ufffd'],
    ['https://example.com/??utm_source=x', null],
  ])('reads the parameters of %s as URL does', (text, utmSource) => {
    const page = parsePage(text);
    expect(page === null ? undefined : queryParams(page).get('utm_source')).toBe(utmSource);
    expectSameAsUrl(text);
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
