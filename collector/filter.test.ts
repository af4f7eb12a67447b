import { describe, expect, it } from 'vitest';
import { parseAddressList } from '../core/cidr.js';
import type { SiteRules } from '../core/site-cache.js';
import { dropReason } from './filter.js';

const site: SiteRules = { id: 1, domain: 'example.com', allowAnyHost: false, excludedIps: parseAddressList('192.0.2.0/24').list };
const keep = { bot: false, pageHost: 'example.com', ip: '198.51.100.1' };

describe('dropReason', () => {
  it.each([
    ['a person on the site', site, keep, undefined],
    ['a bot', site, { ...keep, bot: true }, 'bot'],
    ['a page on another host', site, { ...keep, pageHost: 'evil.example' }, 'host'],
    ['a page on a subdomain', site, { ...keep, pageHost: 'shop.example.com' }, undefined],
    ['another host, on a site that allows any', { ...site, allowAnyHost: true }, { ...keep, pageHost: 'mirror.example.net' }, undefined],
    ['a form visit with no page host', site, { ...keep, pageHost: null }, undefined],
    ['an excluded address', site, { ...keep, ip: '192.0.2.77' }, 'ip'],
    ['an unknown address', site, { ...keep, ip: null }, undefined],
    ['a bot on another host: bot first', site, { bot: true, pageHost: 'evil.example', ip: '192.0.2.1' }, 'bot'],
  ] as const)('%s → %s', (_label, rules, input, expected) => {
    expect(dropReason(rules, input)).toBe(expected);
  });
});
