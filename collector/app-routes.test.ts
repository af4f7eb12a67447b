import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PIXEL_PATH, TRACKER_PATH } from '../core/paths.js';
import { DROPPED_HEADER } from '../core/stats.js';
import budget from '../snippet/budget.json' with { type: 'json' };
import { CURL_VISIT, nodeEnv, post, tracker, useCollector } from '../test/collector.js';
import { CHROME } from '../test/ingest.js';
import { countRows, dialects } from '../test/store.js';

describe.each(dialects)('collector on %s', (dialect) => {
  const { store, setup, events } = useCollector(dialect);

  describe('the visit form route', () => {
    // What curl --data sends.
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'curl/7.88.1' };

    it('stores a curl visit as sent, with the address truncated by default', async () => {
      const { app } = await setup();
      const res = await app.request('/site/1/visit', post(CURL_VISIT, form), nodeEnv());
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
      const res = await app.request('/site/1/visit', post(CURL_VISIT, form), nodeEnv());
      expect(res.status).toBe(201);
      expect(res.headers.get(DROPPED_HEADER)).toBeNull();
      expect(await res.text()).toBe('Added visit for site 1\n');
      expect(await countRows(store().db, 'events')).toBe(0);
    });

    it.each([
      ['a bad date', '/site/1/visit', CURL_VISIT.replace('2013-11-09', '2013-11-31'), form, 400],
      ['an unknown site', '/site/42/visit', CURL_VISIT, form, 404],
      ['a site id that is not a number', '/site/abc/visit', CURL_VISIT, form, 404],
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
