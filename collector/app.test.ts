import { type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { PIXEL_PATH, TRACKER_PATH } from '../core/paths.js';
import { DROPPED_HEADER, IngestStats } from '../core/stats.js';
import { waitFor } from '../scripts/server.js';
import budget from '../snippet/budget.json' with { type: 'json' };
import { CHROME, testIngest } from '../test/ingest.js';
import { addSite, countRows, dialects, useTestStore } from '../test/store.js';
import { createCollectorApp, NODE_SERVER_OPTIONS, startIngestChores } from './app.js';
import { MAX_BODY } from './parse.js';
import { loadTracker } from './tracker.js';

const tracker = loadTracker();
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
// 8.8.8.8 is in the bundled country database (US); node-server reports
// IPv4 peers IPv4-mapped.
const SEED_VISIT = 'event=BashVisit&browser=cURL&url=/&ip_address=1.2.3.4&date=2013-11-09';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const nodeEnv = (remoteAddress = '::ffff:8.8.8.8') => ({ incoming: { socket: { remoteAddress } } });
const beacon = {
  s: 1,
  u: 'https://example.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=launch',
  r: 'https://news.example/item',
};

describe.each(dialects)('collector on %s', (dialect) => {
  const store = useTestStore(dialect);

  async function setup(env: Record<string, string> = {}, site: Parameters<typeof addSite>[1] = {}) {
    const { db } = store();
    await addSite(db, site);
    const stats = new IngestStats();
    const ingest = testIngest(store(), env);
    return { db, stats, ingest, app: createCollectorApp({ ingest, tracker, stats }) };
  }

  function post(body: string, headers: Record<string, string> = {}) {
    return { method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME, ...headers } };
  }

  const events = () => store().db.selectFrom('events').selectAll().orderBy('id').execute();

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

  it.each([
    ['bad JSON', '{"s":1,', 400, undefined],
    ['a missing url', JSON.stringify({ ...beacon, u: undefined }), 400, ['u']],
    ['an oversized url', JSON.stringify({ ...beacon, u: `https://example.com/${'a'.repeat(2100)}` }), 400, ['u']],
    ['an oversized event name', JSON.stringify({ ...beacon, n: 'n'.repeat(200) }), 400, ['n']],
    [
      'too many props',
      JSON.stringify({ ...beacon, n: 'x', p: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i])) }),
      400,
      ['p'],
    ],
    [
      'a client-set IP, time, country and agent',
      JSON.stringify({ ...beacon, ip: '1.1.1.1', ts: 0, country: 'FR', ua: 'x' }),
      400,
      ['country', 'ip', 'ts', 'ua'],
    ],
    ['an unknown site', JSON.stringify({ ...beacon, s: 999 }), 404, undefined],
    ['a body over the limit', JSON.stringify({ ...beacon, r: 'r'.repeat(MAX_BODY) }), 413, undefined],
  ])('refuses %s and stores nothing', async (_label, body, status, fields) => {
    const { app, ingest } = await setup();
    const res = await app.request('/api/event', post(body), nodeEnv());
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: string; fields?: Record<string, string> };
    expect(json.error).toEqual(expect.any(String));
    if (fields !== undefined) expect(Object.keys(json.fields ?? {}).sort()).toEqual(fields);
    await ingest.writer.close();
    expect(await countRows(store().db, 'events')).toBe(0);
  });

  it('checks Content-Length before reading the body, as browsers send it', async () => {
    const { app } = await setup();
    const body = JSON.stringify(beacon);
    const ok = await app.request('/api/event', post(body, { 'content-length': String(Buffer.byteLength(body)) }), nodeEnv());
    expect(ok.status).toBe(202);
    const big = await app.request('/api/event', post(body, { 'content-length': String(MAX_BODY + 1) }), nodeEnv());
    expect(big.status).toBe(413);
    const bad = await app.request('/api/event', post(body, { 'content-length': 'lots' }), nodeEnv());
    expect(bad.status).toBe(413);
    expect(await countRows(store().db, 'events')).toBe(1);
  });

  it('answers 503 when the database fails on a lookup, and stores nothing', async () => {
    const { app } = await setup();
    // A real failure, before the site is cached: the table is gone for a moment.
    await sql`alter table sites rename to sites_away`.execute(store().db);
    const res = await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv());
    await sql`alter table sites_away rename to sites`.execute(store().db);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({ error: 'The database is unavailable; send the event again.' });
    expect((await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv())).status).toBe(202);
  });

  it('answers the CORS preflight for any origin', async () => {
    const { app } = await setup();
    const res = await app.request('/api/event', {
      method: 'OPTIONS',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it.each([
    ['a stored beacon', '/api/event', post(JSON.stringify(beacon)), 202],
    ['a dropped beacon', '/api/event', post(JSON.stringify(beacon), { 'user-agent': GOOGLEBOT }), 202],
    ['a bad beacon', '/api/event', post('{'), 400],
    ['a beacon too large', '/api/event', post('x', { 'content-length': String(MAX_BODY + 1) }), 413],
    ["the seed's visit", '/site/1/visit', post(SEED_VISIT, FORM), 201],
    ['a visit to no site', '/site/9/visit', post(SEED_VISIT, FORM), 404],
    ['the pixel', `${PIXEL_PATH}?s=1`, { headers: { referer: 'https://example.com/', 'user-agent': CHROME } }, 200],
  ])('lets any origin read its answer to %s', async (_, path, init, status) => {
    const { app } = await setup();
    const res = await app.request(path, init, nodeEnv());
    expect(res.status).toBe(status);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('counts outcomes for the periodic summary instead of logging each event', async () => {
    const { app, stats } = await setup();
    await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv());
    await app.request('/api/event', post('{'), nodeEnv());
    expect(stats.drain()).toEqual({ accepted: 1, refused_400: 1 });
    expect(stats.drain()).toEqual({});
  });

  it('answers 503 with Retry-After when the write queue is full, and stores what it acknowledged', async () => {
    const { app } = await setup({ WRITE_QUEUE_LIMIT: '3', WRITE_BATCH_DELAY_MS: '200', WRITE_BATCH_SIZE: '100' });
    // Warm the site and salt caches, so that the next five reach the queue together.
    expect((await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv())).status).toBe(202);
    const answers = await Promise.all(Array.from({ length: 5 }, () => app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv())));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 202, 503, 503]);
    const busy = answers.find((r) => r.status === 503);
    expect(busy?.headers.get('retry-after')).toBe('1');
    expect(await busy?.json()).toEqual({ error: 'The collector is busy; send the event again.' });
    expect(await countRows(store().db, 'events')).toBe(4);
  });

  it.each([
    ['as the servers make it', NODE_SERVER_OPTIONS],
    ['without joinDuplicateHeaders', {}],
  ])(
    'reads User-Agent, X-Forwarded-For and Content-Length as Hono does when served by the Node adapter, %s',
    async (_label, serverOptions) => {
      const { app } = await setup({ IP_STORAGE: 'full', TRUSTED_PROXIES: '127.0.0.1/32' });
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', serverOptions });
      try {
        await new Promise((resolve) => server.once('listening', resolve));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/event`;
        const send = (body: string, headers: Record<string, string>) => fetch(url, { method: 'POST', body, headers });
        const stored = await send(JSON.stringify(beacon), { 'user-agent': IPHONE, 'x-forwarded-for': '6.6.6.6, 8.8.4.4' });
        expect(stored.status).toBe(202);
        expect(stored.headers.get(DROPPED_HEADER)).toBeNull();
        // fetch always sends a User-Agent: an empty one is no browser.
        const noAgent = await send(JSON.stringify(beacon), { 'user-agent': '' });
        expect(noAgent.headers.get(DROPPED_HEADER)).toBe('bot');
        // Node keeps the first of repeated User-Agents; the filter must see them all.
        const hidden = await new Promise<IncomingMessage>((resolve, reject) => {
          const body = JSON.stringify(beacon);
          // Raw headers, so that both User-Agents go out (then Node adds no Host of its own).
          const headers = ['host', '127.0.0.1', 'user-agent', IPHONE, 'user-agent', GOOGLEBOT, 'content-length', String(body.length)];
          request(url, { method: 'POST', headers }, resolve).on('error', reject).end(body);
        });
        hidden.resume();
        expect(hidden.statusCode).toBe(202);
        expect(hidden.headers[DROPPED_HEADER.toLowerCase()]).toBe('bot');
        const tooLarge = await send('x'.repeat(MAX_BODY + 1), { 'user-agent': IPHONE });
        expect(tooLarge.status).toBe(413);
        expect(tooLarge.headers.get('access-control-allow-origin')).toBe('*');
        expect(await events()).toEqual([
          expect.objectContaining({ browser: 'Mobile Safari', device: 'mobile', ip: '8.8.4.4', country: 'US' }),
        ]);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );

  it('forgets the addresses it holds in memory once the UTC day has changed, with no event needed', async () => {
    const { app, ingest } = await setup();
    await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv());
    expect(ingest.visitors.size).toBe(1);
    expect(ingest.geo.size).toBeGreaterThan(0);
    let now = Date.UTC(2026, 10, 26, 23, 59, 50);
    const stop = startIngestChores(ingest, 10, () => now);
    try {
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(ingest.visitors.size).toBe(1);
      now += 20_000;
      await waitFor(
        () => ingest.visitors.size === 0 && ingest.geo.size === 0,
        2_000,
        () => 'the caches were not emptied',
      );
    } finally {
      stop();
    }
    // Stopped, it forgets nothing more.
    await app.request('/api/event', post(JSON.stringify(beacon)), nodeEnv());
    now += 86_400_000;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(ingest.visitors.size).toBe(1);
  });

  describe("the seed's part-1 route", () => {
    // What curl --data sends.
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'curl/7.88.1' };

    it("stores the seed's curl visit as sent, with the address truncated by default", async () => {
      const { app } = await setup();
      const res = await app.request('/site/1/visit', post(SEED_VISIT, form), nodeEnv());
      expect(res.status).toBe(201);
      expect(await res.text()).toBe('Added visit for site 1\n');
      expect(await events()).toEqual([
        expect.objectContaining({
          site_id: 1,
          ts: Date.UTC(2013, 10, 9),
          name: 'BashVisit',
          url: '/',
          referrer: null,
          browser: 'cURL',
          ip: '1.2.3.0',
          country: 'AU',
          visitor_id: expect.any(Number),
        }),
      ]);
    });

    it('drops a visit from an excluded address, and answers as for a stored one', async () => {
      const { app } = await setup({}, { excluded_ips: '1.2.3.0/24' });
      const res = await app.request('/site/1/visit', post(SEED_VISIT, form), nodeEnv());
      expect(res.status).toBe(201);
      expect(res.headers.get(DROPPED_HEADER)).toBeNull();
      expect(await res.text()).toBe('Added visit for site 1\n');
      expect(await countRows(store().db, 'events')).toBe(0);
    });

    it.each([
      ['a bad date', '/site/1/visit', SEED_VISIT.replace('2013-11-09', '2013-11-31'), form, 400],
      ['an unknown site', '/site/42/visit', SEED_VISIT, form, 404],
      ['a site id that is not a number', '/site/abc/visit', SEED_VISIT, form, 404],
      ['a JSON body', '/site/1/visit', '{"event":"x"}', { 'content-type': 'application/json' }, 415],
    ])('refuses %s and stores nothing', async (_label, path, body, headers, status) => {
      const { app } = await setup();
      const res = await app.request(path, post(body, headers), nodeEnv());
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error).toEqual(expect.any(String));
      expect(await countRows(store().db, 'events')).toBe(0);
    });

    it('names the bad date field', async () => {
      const { app } = await setup();
      const res = await app.request('/site/1/visit', post('event=x&url=/&date=tomorrow', form), nodeEnv());
      expect(await res.json()).toEqual({ error: 'The visit was refused.', fields: { date: 'must be a real date written YYYY-MM-DD' } });
    });
  });

  describe('the <noscript> pixel', () => {
    it('records a page view for the page in the Referer header and answers a GIF', async () => {
      const { app } = await setup();
      const res = await app.request(
        `${PIXEL_PATH}?s=1`,
        { headers: { referer: 'https://example.com/no-js', 'user-agent': CHROME } },
        nodeEnv(),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/gif');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(new Uint8Array(await res.arrayBuffer()).slice(0, 6)).toEqual(new TextEncoder().encode('GIF89a'));
      expect(await events()).toMatchObject([
        { name: 'pageview', url: 'https://example.com/no-js', referrer: null, browser: 'Chrome', ip: '8.8.8.0' },
      ]);
    });

    it('stores nothing for a HEAD request', async () => {
      const { app } = await setup();
      const res = await app.request(
        `${PIXEL_PATH}?s=1`,
        { method: 'HEAD', headers: { referer: 'https://example.com/', 'user-agent': CHROME } },
        nodeEnv(),
      );
      expect(res.status).toBe(200);
      expect(await countRows(store().db, 'events')).toBe(0);
    });

    it.each([
      ['no Referer', '?s=1', { 'user-agent': CHROME }, 400],
      ['no site', '', { referer: 'https://example.com/', 'user-agent': CHROME }, 400],
      ['an unknown site', '?s=5', { referer: 'https://example.com/', 'user-agent': CHROME }, 404],
    ])('refuses %s and stores nothing', async (_label, query, headers, status) => {
      const { app } = await setup();
      const res = await app.request(`${PIXEL_PATH}${query}`, { headers }, nodeEnv());
      expect(res.status).toBe(status);
      expect(await countRows(store().db, 'events')).toBe(0);
    });
  });

  it('serves the tracker with an ETag, caching, and 304 on revalidation', async () => {
    const { app } = await setup();
    const res = await app.request(TRACKER_PATH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(await res.text()).toBe(tracker.code);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await app.request(TRACKER_PATH, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('serves a tracker within its gzip budget', async () => {
    const { app } = await setup();
    const served = Buffer.from(await (await app.request(TRACKER_PATH)).arrayBuffer());
    expect(served.length).toBeGreaterThan(500);
    expect(gzipSync(served, { level: 9 }).length).toBeLessThanOrEqual(budget.gzipBytes);
  });

  it('answers unknown collector paths with a JSON 404', async () => {
    const { app } = await setup();
    const res = await app.request('/nothing-here');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Not found' });
  });
});
