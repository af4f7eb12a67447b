import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import budget from '../snippet/budget.json' with { type: 'json' };
import { createCollectorApp, PIXEL_PATH } from './app.js';
import { dialects, useTestStore } from './db/testing.js';
import { MAX_BODY } from './parse.js';
import { IngestStats } from './stats.js';
import { loadTracker, TRACKER_PATH } from './tracker.js';

const tracker = loadTracker();
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';
// What @hono/node-server hands the app; here the peer is an IPv4-mapped address.
const nodeEnv = { incoming: { socket: { remoteAddress: '::ffff:203.0.113.9' } } };
const beacon = { s: 1, u: 'https://example.com/pricing', r: 'https://news.example/' };

describe.each(dialects)('collector on %s', (dialect) => {
  const store = useTestStore(dialect);

  async function setup() {
    const { db } = store();
    await db
      .insertInto('sites')
      .values({ base_url: 'https://example.com', domain: 'example.com', name: 'Example', created_at: 0 })
      .execute();
    const stats = new IngestStats();
    return { db, stats, app: createCollectorApp({ store: store(), tracker, stats }) };
  }

  function post(path: string, body: string, headers: Record<string, string> = { 'content-type': 'text/plain;charset=UTF-8' }) {
    return { path, init: { method: 'POST', body, headers: { 'user-agent': UA, ...headers } } };
  }

  const countEvents = async () =>
    Number(
      (
        await store()
          .db.selectFrom('events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it.each([
    ['text/plain;charset=UTF-8', 'as sendBeacon sends it'],
    ['application/json', 'as a script sends it'],
  ])('stores a beacon sent as %s (%s), with UA and IP from the request', async (type) => {
    const { app, db } = await setup();
    const started = Date.now();
    const res = await app.request('/api/event', post('/api/event', JSON.stringify(beacon), { 'content-type': type }).init, nodeEnv);
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const rows = await db.selectFrom('events').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      site_id: 1,
      name: 'pageview',
      url: beacon.u,
      referrer: beacon.r,
      browser: UA,
      ip: '203.0.113.9',
      props: null,
      engaged_ms: null,
    });
    expect(rows[0]?.ts).toBeGreaterThanOrEqual(started);
    expect(rows[0]?.ts).toBeLessThanOrEqual(Date.now());
  });

  it.each([
    ['a custom event with props', { s: 1, u: beacon.u, n: 'Signup', p: { plan: 'pro' } }, { name: 'Signup', props: '{"plan":"pro"}' }],
    ['engaged time', { s: 1, u: beacon.u, e: 4200 }, { name: 'engagement', engaged_ms: 4200 }],
    [
      'an outbound click',
      { s: 1, u: beacon.u, o: 'https://elsewhere.example/' },
      { name: 'Outbound Link', props: '{"url":"https://elsewhere.example/"}' },
    ],
    [
      'a download click',
      { s: 1, u: beacon.u, d: 'https://example.com/a.pdf' },
      { name: 'File Download', props: '{"url":"https://example.com/a.pdf"}' },
    ],
  ])('stores %s', async (_label, body, stored) => {
    const { app, db } = await setup();
    const res = await app.request('/api/event', post('/api/event', JSON.stringify(body)).init, nodeEnv);
    expect(res.status).toBe(202);
    expect(await db.selectFrom('events').selectAll().executeTakeFirstOrThrow()).toMatchObject({ url: beacon.u, referrer: null, ...stored });
  });

  it.each([
    ['bad JSON', '{"s":1,', 400, undefined],
    ['a missing url', JSON.stringify({ ...beacon, u: undefined }), 400, ['u']],
    ['an oversized url', JSON.stringify({ ...beacon, u: `https://example.com/${'a'.repeat(2100)}` }), 400, ['u']],
    ['an oversized event name', JSON.stringify({ ...beacon, n: 'n'.repeat(200) }), 400, ['n']],
    ['a client-set IP and time', JSON.stringify({ ...beacon, ip: '1.1.1.1', ts: 0 }), 400, ['ip', 'ts']],
    ['an unknown site', JSON.stringify({ ...beacon, s: 999 }), 404, undefined],
    ['a body over the limit', JSON.stringify({ ...beacon, r: 'r'.repeat(MAX_BODY) }), 413, undefined],
  ])('refuses %s and stores nothing', async (_label, body, status, fields) => {
    const { app } = await setup();
    const res = await app.request('/api/event', post('/api/event', body).init, nodeEnv);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: string; fields?: Record<string, string> };
    expect(json.error).toEqual(expect.any(String));
    if (fields !== undefined) expect(Object.keys(json.fields ?? {}).sort()).toEqual(fields);
    expect(await countEvents()).toBe(0);
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

  it('counts outcomes for the periodic summary instead of logging each event', async () => {
    const { app, stats } = await setup();
    await app.request('/api/event', post('/api/event', JSON.stringify(beacon)).init, nodeEnv);
    await app.request('/api/event', post('/api/event', '{').init, nodeEnv);
    expect(stats.drain()).toEqual({ accepted: 1, refused_400: 1 });
    expect(stats.drain()).toEqual({});
  });

  describe("the seed's part-1 route", () => {
    const seedBody = 'event=BashVisit&browser=cURL&url=/&ip_address=1.2.3.4&date=2013-11-09';
    // What curl --data sends.
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    it("stores the seed's curl visit as sent", async () => {
      const { app, db } = await setup();
      const res = await app.request('/site/1/visit', post('/site/1/visit', seedBody, form).init, nodeEnv);
      expect(res.status).toBe(201);
      expect(await res.text()).toBe('Added visit for site 1\n');
      const rows = await db.selectFrom('events').selectAll().execute();
      expect(rows).toEqual([
        {
          id: expect.any(Number),
          site_id: 1,
          ts: Date.UTC(2013, 10, 9),
          name: 'BashVisit',
          url: '/',
          referrer: null,
          browser: 'cURL',
          ip: '1.2.3.4',
          props: null,
          engaged_ms: null,
        },
      ]);
    });

    it.each([
      ['a bad date', '/site/1/visit', seedBody.replace('2013-11-09', '2013-11-31'), form, 400],
      ['an unknown site', '/site/42/visit', seedBody, form, 404],
      ['a site id that is not a number', '/site/abc/visit', seedBody, form, 404],
      ['a JSON body', '/site/1/visit', '{"event":"x"}', { 'content-type': 'application/json' }, 415],
    ])('refuses %s and stores nothing', async (_label, path, body, headers, status) => {
      const { app } = await setup();
      const res = await app.request(path, post(path, body, headers).init, nodeEnv);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error).toEqual(expect.any(String));
      expect(await countEvents()).toBe(0);
    });

    it('names the bad date field', async () => {
      const { app } = await setup();
      const res = await app.request('/site/1/visit', post('/site/1/visit', 'event=x&url=/&date=tomorrow', form).init, nodeEnv);
      expect(await res.json()).toEqual({ error: 'The visit was refused.', fields: { date: 'must be a real date written YYYY-MM-DD' } });
    });
  });

  describe('the <noscript> pixel', () => {
    it('records a page view for the page in the Referer header and answers a GIF', async () => {
      const { app, db } = await setup();
      const res = await app.request(`${PIXEL_PATH}?s=1`, { headers: { referer: 'https://example.com/no-js', 'user-agent': UA } }, nodeEnv);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/gif');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(new Uint8Array(await res.arrayBuffer()).slice(0, 6)).toEqual(new TextEncoder().encode('GIF89a'));
      expect(await db.selectFrom('events').selectAll().execute()).toMatchObject([
        { name: 'pageview', url: 'https://example.com/no-js', referrer: null, browser: UA, ip: '203.0.113.9' },
      ]);
    });

    it.each([
      ['no Referer', '?s=1', {}, 400],
      ['no site', '', { referer: 'https://example.com/' }, 400],
      ['an unknown site', '?s=5', { referer: 'https://example.com/' }, 404],
    ])('refuses %s and stores nothing', async (_label, query, headers, status) => {
      const { app } = await setup();
      const res = await app.request(`${PIXEL_PATH}${query}`, { headers }, nodeEnv);
      expect(res.status).toBe(status);
      expect(await countEvents()).toBe(0);
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
