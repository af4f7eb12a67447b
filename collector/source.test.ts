import { describe, expect, it } from 'vitest';
import { parsePage } from '../core/page.js';
import { belongsTo, trafficSource } from './source.js';

const none = { source: null, utm_source: null, utm_medium: null, utm_campaign: null, utm_term: null, utm_content: null };

describe('trafficSource', () => {
  it.each([
    ['no referrer', 'https://example.com/', null, none],
    ['a search engine', 'https://example.com/', 'https://www.google.com/search?q=x', { ...none, source: 'google.com' }],
    ['another site', 'https://example.com/', 'https://news.ycombinator.com/item?id=1', { ...none, source: 'news.ycombinator.com' }],
    ['the site itself', 'https://example.com/b', 'https://example.com/a', none],
    ['a subdomain of the site', 'https://example.com/b', 'https://docs.example.com/a', none],
    ['www. of the site', 'https://example.com/b', 'https://www.example.com/a', none],
    ['a referrer that is not a web page', 'https://example.com/', 'android-app://com.slack', none],
    ['a malformed referrer', 'https://example.com/', 'not a url', none],
    [
      'UTM parameters, which beat the referrer',
      'https://example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=launch&utm_term=shoes&utm_content=top',
      'https://mail.example.net/',
      {
        source: 'newsletter',
        utm_source: 'newsletter',
        utm_medium: 'email',
        utm_campaign: 'launch',
        utm_term: 'shoes',
        utm_content: 'top',
      },
    ],
    ['a ref parameter', 'https://example.com/?ref=producthunt', 'https://www.producthunt.com/', { ...none, source: 'producthunt' }],
    ['a source parameter', 'https://example.com/?source=podcast', null, { ...none, source: 'podcast' }],
    ['an empty utm_source', 'https://example.com/?utm_source=&ref=blog', null, { ...none, source: 'blog' }],
    ['a relative URL from the visit form', '/', null, none],
  ])('reads %s', (_label, url, referrer, expected) => {
    expect(trafficSource(url.startsWith('/') ? null : parsePage(url), referrer, 'example.com')).toEqual(expected);
  });

  it('cuts overlong parameters', () => {
    expect(trafficSource(parsePage(`https://example.com/?utm_campaign=${'x'.repeat(500)}`), null, 'example.com').utm_campaign).toHaveLength(
      200,
    );
  });
});

describe('belongsTo', () => {
  it.each([
    ['example.com', 'example.com', true],
    ['blog.example.com', 'example.com', true],
    ['www.example.com', 'example.com', true],
    ['example.com', 'www.example.com', true],
    ['EXAMPLE.com', 'example.com', true],
    ['notexample.com', 'example.com', false],
    ['example.com.evil.net', 'example.com', false],
    ['', 'example.com', false],
  ])('%s belongs to %s: %s', (host, domain, expected) => {
    expect(belongsTo(host, domain)).toBe(expected);
  });
});
