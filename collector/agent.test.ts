import { describe, expect, it } from 'vitest';
import { describeAgent, LONGEST_CACHED_AGENT } from './agent.js';

const UA = {
  chromeLinux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.3485.54',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15',
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1',
  android: 'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  headless: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36',
  curl: 'curl/8.5.0',
};

describe('describeAgent', () => {
  it.each([
    ['Chrome on Linux', UA.chromeLinux, { bot: false, browser: 'Chrome', browserVersion: '140', os: 'Linux', device: 'desktop' }],
    ['Firefox on Windows', UA.firefoxWindows, { bot: false, browser: 'Firefox', browserVersion: '145', os: 'Windows', device: 'desktop' }],
    ['Edge', UA.edge, { bot: false, browser: 'Edge', browserVersion: '140', os: 'Windows', device: 'desktop' }],
    ['Safari on a Mac', UA.safariMac, { bot: false, browser: 'Safari', browserVersion: '18', os: 'Mac OS', device: 'desktop' }],
    ['an iPhone', UA.iphone, { bot: false, browser: 'Mobile Safari', browserVersion: '18', os: 'iOS', device: 'mobile' }],
    ['an iPad', UA.ipad, { bot: false, browser: 'Mobile Safari', browserVersion: '17', os: 'iOS', device: 'tablet' }],
    ['an Android phone', UA.android, { bot: false, browser: 'Chrome', browserVersion: '140', os: 'Android', device: 'mobile' }],
  ])('reads %s', (_label, ua, expected) => {
    expect(describeAgent(ua)).toEqual(expected);
  });

  it.each([
    ['a search crawler', UA.googlebot],
    ['headless Chrome', UA.headless],
    ['curl', UA.curl],
    ['an empty User-Agent', ''],
    ['two empty User-Agents, joined', ', '],
    ['no User-Agent', undefined],
  ])('takes %s for a bot', (_label, ua) => {
    expect(describeAgent(ua).bot).toBe(true);
  });

  it('parses a User-Agent once and answers repeats from its cache', () => {
    expect(describeAgent(UA.edge)).toBe(describeAgent(UA.edge));
  });

  it('parses an overlong User-Agent every time, never caching it', () => {
    const long = `${UA.edge} ${'x'.repeat(LONGEST_CACHED_AGENT)}`;
    const first = describeAgent(long);
    expect(first).toEqual(describeAgent(UA.edge));
    expect(describeAgent(long)).not.toBe(first);
    expect(describeAgent(`Googlebot/2.1 ${'x'.repeat(LONGEST_CACHED_AGENT)}`).bot).toBe(true);
  });
});
