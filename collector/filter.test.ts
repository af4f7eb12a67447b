import { describe, expect, it } from 'vitest';
import { parseAddressList } from './cidr.js';
import { dropReason } from './filter.js';
import type { SiteRules } from './site-cache.js';

const site: SiteRules = { id: 1, domain: 'example.com', allowAnyHost: false, excludedIps: parseAddressList('192.0.2.0/24').list };
const keep = { bot: false, pageUrl: 'https://example.com/a', ip: '198.51.100.1' };

describe('dropReason', () => {
  it.each([
    ['a person on the site', site, keep, undefined],
    ['a bot', site, { ...keep, bot: true }, 'bot'],
    ['a page on another host', site, { ...keep, pageUrl: 'https://evil.example/a' }, 'host'],
    ['a page on a subdomain', site, { ...keep, pageUrl: 'https://shop.example.com/a' }, undefined],
    [
      'another host, on a site that allows any',
      { ...site, allowAnyHost: true },
      { ...keep, pageUrl: 'https://mirror.example.net/' },
      undefined,
    ],
    ['a form visit with no page host', site, { ...keep, pageUrl: null }, undefined],
    ['an excluded address', site, { ...keep, ip: '192.0.2.77' }, 'ip'],
    ['an unknown address', site, { ...keep, ip: null }, undefined],
    ['a bot on another host: bot first', site, { bot: true, pageUrl: 'https://evil.example/', ip: '192.0.2.1' }, 'bot'],
  ] as const)('%s → %s', (_label, rules, input, expected) => {
    expect(dropReason(rules, input)).toBe(expected);
  });
});
