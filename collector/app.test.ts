// The collector storing events: enriched page views and events, its filters,
// and what it keeps of IP addresses.

import { describe, expect, it } from 'vitest';
import { DROPPED_HEADER } from '../core/stats.js';
import { beacon, GOOGLEBOT, IPHONE, nodeEnv, post, useCollector } from '../test/collector.js';
import { countRows, dialects } from '../test/store.js';

describe.each(dialects)('collector on %s', (dialect) => {
  const { store, setup, events } = useCollector(dialect);

  it.each([
    ['text/plain;charset=UTF-8', 'as sendBeacon sends it'],
    ['application/json', 'as a script sends it'],
  ])('stores an enriched page view sent as %s (%s)', async (type) => {
    const { app } = await setup();
    const started = Date.now();
    const res = await app.request('/api/event', post(JSON.stringify(beacon), { 'content-type': type }), nodeEnv());
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const rows = await events();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      site_id: 1,
      name: 'pageview',
      url: beacon.u,
      referrer: beacon.r,
      browser: 'Chrome',
      browser_version: '140',
      os: 'Linux',
      device: 'desktop',
      country: 'US',
      region: null,
      city: null,
      source: 'newsletter',
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'launch',
      utm_term: null,
      utm_content: null,
      ip: '8.8.8.0',
      props: null,
      engaged_ms: null,
    });
    expect(rows[0]?.visitor_id).toEqual(expect.any(Number));
    expect(rows[0]?.ts).toBeGreaterThanOrEqual(started);
    expect(rows[0]?.ts).toBeLessThanOrEqual(Date.now());
  });

  it.each([
    [
      'a custom event with props',
      { s: 1, u: 'https://example.com/', n: 'Signup', p: { plan: 'pro' } },
      { name: 'Signup', props: '{"plan":"pro"}' },
    ],
    ['engaged time', { s: 1, u: 'https://example.com/', e: 4200 }, { name: 'engagement', engaged_ms: 4200 }],
    [
      'an outbound click',
      { s: 1, u: 'https://example.com/', o: 'https://elsewhere.example/' },
      { name: 'Outbound Link', props: '{"url":"https://elsewhere.example/"}' },
    ],
    [
      'a download click',
      { s: 1, u: 'https://example.com/', d: 'https://example.com/a.pdf' },
      { name: 'File Download', props: '{"url":"https://example.com/a.pdf"}' },
    ],
  ])('stores %s', async (_label, body, stored) => {
    const { app } = await setup();
    const res = await app.request('/api/event', post(JSON.stringify(body)), nodeEnv());
    expect(res.status).toBe(202);
    expect((await events())[0]).toMatchObject({ url: 'https://example.com/', referrer: null, ...stored });
  });

  it('tells a phone from a desktop, and gives one visitor one id', async () => {
    const { app } = await setup();
    await app.request('/api/event', post(JSON.stringify(beacon), { 'user-agent': IPHONE }), nodeEnv());
    await app.request('/api/event', post(JSON.stringify({ ...beacon, u: 'https://example.com/b' }), { 'user-agent': IPHONE }), nodeEnv());
    await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv());
    await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv('203.0.113.50'));
    const rows = await events();
    expect(rows.map((r) => [r.browser, r.os, r.device])).toEqual([
      ['Mobile Safari', 'iOS', 'mobile'],
      ['Mobile Safari', 'iOS', 'mobile'],
      ['Chrome', 'Linux', 'desktop'],
      ['Chrome', 'Linux', 'desktop'],
    ]);
    const ids = rows.map((r) => r.visitor_id);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
  });

  describe('filters: a fast 202 with the reason in a header (not for an excluded address), a counter, nothing stored', () => {
    it.each([
      ['a crawler', 'bot', 'bot', {}, {}, post(JSON.stringify(beacon), { 'user-agent': GOOGLEBOT }), nodeEnv()],
      ['no User-Agent at all', 'bot', 'bot', {}, {}, post(JSON.stringify(beacon), { 'user-agent': '' }), nodeEnv()],
      [
        'a page on another host',
        'host',
        'host',
        {},
        {},
        post(JSON.stringify({ ...beacon, u: 'https://copycat.example/pricing' })),
        nodeEnv(),
      ],
      ['an excluded address', 'ip', null, {}, { excluded_ips: '10.0.0.0/8\n8.8.8.8' }, post(JSON.stringify(beacon)), nodeEnv()],
    ])('drops %s as "%s"', async (_label, reason, header, env, site, init, bindings) => {
      const { app, stats, ingest } = await setup(env, site);
      const res = await app.request('/api/event', init, bindings);
      expect(res.status).toBe(202);
      expect(res.headers.get(DROPPED_HEADER)).toBe(header);
      await ingest.writer.close();
      expect(await countRows(store().db, 'events')).toBe(0);
      expect(await store().db.selectFrom('filtered_hits').select(['site_id', 'reason', 'hits']).execute()).toEqual([
        { site_id: 1, reason, hits: 1 },
      ]);
      expect(stats.drain()).toEqual({ [`dropped_${reason}`]: 1 });
    });

    it('counts repeated drops in one row per site, day and reason', async () => {
      const { app, ingest } = await setup();
      for (let i = 0; i < 3; i++) await app.request('/api/event', post(JSON.stringify(beacon), { 'user-agent': GOOGLEBOT }), nodeEnv());
      await ingest.writer.close();
      const [row] = await store().db.selectFrom('filtered_hits').selectAll().execute();
      expect(row).toEqual({ site_id: 1, day: new Date().toISOString().slice(0, 10), reason: 'bot', hits: 3 });
    });

    it.each([
      ['a subdomain', 'https://blog.example.com/post', {}],
      ['www. against the bare domain', 'https://www.example.com/', {}],
      ['any host, when the site allows it', 'https://mirror.example.net/', { allow_any_host: 1 }],
    ])('keeps %s', async (_label, url, site) => {
      const { app } = await setup({}, site);
      const res = await app.request('/api/event', post(JSON.stringify({ s: 1, u: url })), nodeEnv());
      expect(res.headers.get(DROPPED_HEADER)).toBeNull();
      expect(await countRows(store().db, 'events')).toBe(1);
    });
  });

  describe('IP addresses', () => {
    it.each([
      ['truncated', '8.8.8.0', '2001:db8:1::'],
      ['full', '8.8.8.8', '2001:db8:1:2::7'],
      ['none', null, null],
    ])('stores them %s when IP_STORAGE says so', async (mode, v4, v6) => {
      const { app } = await setup({ IP_STORAGE: mode });
      await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv());
      await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv('2001:db8:1:2::7'));
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      await app.request('/site/1/visit', post('event=BashVisit&url=/&ip_address=8.8.8.8&date=2013-11-09', form), nodeEnv());
      expect((await events()).map((r) => r.ip)).toEqual([v4, v6, v4]);
    });

    it('ignores X-Forwarded-For unless the peer is a trusted proxy', async () => {
      const { app } = await setup({ IP_STORAGE: 'full' });
      await app.request('/api/event', post(JSON.stringify(beacon), { 'x-forwarded-for': '1.1.1.1' }), nodeEnv('203.0.113.9'));
      expect((await events())[0]?.ip).toBe('203.0.113.9');
    });

    it('takes the right-most untrusted address from a trusted proxy', async () => {
      const { app } = await setup({ IP_STORAGE: 'full', TRUSTED_PROXIES: '10.0.0.0/8' });
      // A client that forges a first hop cannot choose its address.
      await app.request(
        '/api/event',
        post(JSON.stringify(beacon), { 'x-forwarded-for': '6.6.6.6, 8.8.4.4, 10.1.2.3' }),
        nodeEnv('10.0.0.1'),
      );
      expect((await events())[0]).toMatchObject({ ip: '8.8.4.4', country: 'US' });
    });
  });
});
