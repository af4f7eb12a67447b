import { describe, expect, it } from 'vitest';
import { insertEvent } from '../../core/db/events.js';
import type { NewEvent } from '../../core/db/schema.js';
import { testApp } from '../../test/app.js';
import { countRows, dialects, useTestStore } from '../../test/store.js';
import { TestBrowser } from '../../test/test-browser.js';
import { tokenHash } from '../auth.js';
import { runEngine } from '../reports/engine.js';
import { OPERATIONS } from './operations.js';

const MIN = 60_000;

describe.each(dialects)('the JSON API on %s', (dialect) => {
  const store = useTestStore(dialect);

  /** An app, and an account with a key made through the Account page. */
  async function world(rateLimit?: number) {
    const server = testApp(store(), rateLimit === undefined ? {} : { apiRateLimit: rateLimit });
    const browser = new TestBrowser(server);
    await browser.register('owner@example.com');
    const made = await browser.post('/account/keys', { name: 'Script' });
    expect(made.status).toBe(201);
    const key = /id="new-api-key">(sl_[\w-]{43})</.exec(await made.text())?.[1] ?? '';
    expect(key).not.toBe('');
    const api = (path: string, init: RequestInit = {}, token: string | null = key) =>
      server.request(`http://localhost:8787/api/v1${path}`, {
        ...init,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(init.body ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
      });
    const json = (body: unknown, method = 'POST') => ({ method, body: JSON.stringify(body) });
    return { server, browser, key, api, json };
  }

  it('makes a key shown once, keeps only its hash, notes its use, and revokes it', async () => {
    const { browser, key, api } = await world();
    expect(await store().db.selectFrom('api_keys').select(['key_hash', 'prefix', 'last_used_at']).execute()).toEqual([
      { key_hash: tokenHash(key), prefix: key.slice(0, 7), last_used_at: null },
    ]);
    expect(await (await browser.get('/account')).text()).not.toContain(key);
    expect((await api('/sites')).status).toBe(200);
    const used = await store().db.selectFrom('api_keys').select('last_used_at').executeTakeFirst();
    expect(used?.last_used_at).toBeGreaterThan(Date.now() - MIN);
    expect((await browser.post('/account/keys/1/revoke')).status).toBe(303);
    const res = await api('/sites');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'That API key does not exist, or was revoked.' } });
  });

  it.each([
    ['no key', null, 'Send an API key'],
    ['a made-up key', 'sl_not-a-key', 'does not exist'],
  ])('answers a request with %s with 401', async (_label, token, message) => {
    const { api } = await world();
    const res = await api('/sites', {}, token);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(message);
  });

  it('creates, reads, updates and deletes sites, checking every field', async () => {
    const { api, json } = await world();
    const created = await api('/sites', json({ base_url: 'https://Example.com/', name: 'Example' }));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      id: 1,
      name: 'Example',
      base_url: 'https://example.com',
      domain: 'example.com',
      timezone: 'UTC',
    });
    expect(await (await api('/sites')).json()).toMatchObject({ sites: [{ id: 1, name: 'Example' }] });
    const patched = await api('/sites/1', json({ name: 'Renamed', timezone: 'Europe/Berlin' }, 'PATCH'));
    expect(await patched.json()).toMatchObject({ id: 1, name: 'Renamed', timezone: 'Europe/Berlin', base_url: 'https://example.com' });

    const bad = await api('/sites', json({ base_url: 'example', timezone: 'Mars/Olympus', colour: 'red' }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { code: 'bad_request', message: 'Some fields are wrong.', fields: { colour: 'is not a field of this request' } },
    });
    const worse = await api('/sites', json({ base_url: 'example', timezone: 'Mars/Olympus' }));
    expect(((await worse.json()) as { error: { fields: Record<string, string> } }).error.fields).toEqual({
      base_url: 'The base URL must start with http:// or https://, as in https://example.com.',
      timezone: 'is not a time zone',
    });
    expect((await api('/sites', { method: 'POST', body: 'base_url=x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await api('/sites', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await api('/sites', json([1, 2]))).status).toBe(400);
    const inherited = await api('/sites', json({ base_url: 'https://example.com', constructor: 1 }));
    expect(((await inherited.json()) as { error: { fields: Record<string, string> } }).error.fields).toEqual({
      constructor: 'is not a field of this request',
    });
    const huge = await api('/sites', json({ base_url: 'https://example.com', name: 'n'.repeat(20_000) }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('too_large');

    expect((await api('/sites/1', { method: 'DELETE' })).status).toBe(204);
    expect((await api('/sites/1')).status).toBe(404);
    expect(await countRows(store().db, 'sites')).toBe(1 - 1);
  });

  it("answers 404 for another account's site on every endpoint, exactly as for no site", async () => {
    const { server, api, json } = await world();
    await api('/sites', json({ base_url: 'https://example.com' }));
    const other = new TestBrowser(server);
    await other.register('other@example.com');
    const made = await other.post('/account/keys', { name: 'Other' });
    const otherKey = /id="new-api-key">(sl_[\w-]{43})</.exec(await made.text())?.[1] ?? null;
    const theirs = (path: string, init: RequestInit = {}) => api(path, init, otherKey);
    expect(await (await theirs('/sites')).json()).toEqual({ sites: [] });
    for (const [method, path] of [
      ['GET', '/sites/1'],
      ['PATCH', '/sites/1'],
      ['DELETE', '/sites/1'],
      ['GET', '/sites/1/stats'],
      ['GET', '/sites/1/timeseries'],
      ['GET', '/sites/1/breakdown/page'],
      ['GET', '/sites/1/realtime'],
      ['GET', '/sites/1/events'],
    ] as const) {
      const init = method === 'PATCH' ? json({ name: 'Mine now' }, 'PATCH') : { method };
      const mine = await theirs(path, init);
      const missing = await theirs(path.replace('/1', '/999'), init);
      expect([mine.status, await mine.json()], `${method} ${path}`).toEqual([missing.status, await missing.json()]);
      expect(mine.status).toBe(404);
    }
    expect(await countRows(store().db, 'sites')).toBe(1);
  });

  it.each([
    ['/sites/1/stats?colour=red', { colour: 'is not a parameter of this endpoint' }],
    ['/sites/1/stats?period=forever', { period: 'must be one of today, yesterday, 7d, 30d, month, last-month, 12mo, custom' }],
    ['/sites/1/breakdown/page?limit=0', { limit: 'must be at least 1' }],
    ['/sites/1/breakdown/page?limit=ten', { limit: 'must be a whole number' }],
    ['/sites/1/breakdown/planets', { dimension: expect.stringContaining('must be one of source,') }],
    [
      '/sites/1/events?cursor=yesterday&period=7d&period=30d',
      { cursor: expect.stringContaining('must match'), period: 'may be given only once' },
    ],
    ['/sites/abc/stats', { id: 'must be a whole number' }],
    ['/sites/1/stats?timezone=Mars/Olympus', { timezone: 'is not a time zone' }],
    [
      '/sites/1/breakdown/page?timezone=Europe/Berlin',
      { timezone: "must be the site's time zone, UTC: reports are kept in it (change the site's zone to read another)" },
    ],
  ])('answers %s with 400 naming each bad parameter', async (path, fields) => {
    const { api, json } = await world();
    await api('/sites', json({ base_url: 'https://example.com' }));
    const res = await api(path);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'bad_request', message: 'Some parameters are wrong.', fields } });
  });

  it("names a custom period's problem before a filter's", async () => {
    const { api, json } = await world();
    await api('/sites', json({ base_url: 'https://example.com' }));
    const res = await api('/sites/1/stats?period=custom&from=2024-02-30&to=2024-03-01&f=bogus:1');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'bad_request', message: expect.stringContaining('custom period'), fields: { from: expect.any(String) } },
    });
  });

  it('gives the numbers the dashboard shows, for the same period and filters', async () => {
    const { browser, api, json } = await world();
    await api('/sites', json({ base_url: 'https://example.com' }));
    const start = Date.now() - 20 * MIN;
    const event = (visitor: number, ts: number, fields: Partial<NewEvent>): NewEvent => ({
      site_id: 1,
      ts,
      name: 'pageview',
      url: 'https://example.com/',
      referrer: null,
      browser: null,
      ip: null,
      visitor_id: visitor,
      ...fields,
    });
    await insertEvent(store().db, event(1, start, { url: 'https://example.com/a', source: 'search.example', country: 'DE' }));
    await insertEvent(store().db, event(1, start + MIN, { url: 'https://example.com/b' }));
    await insertEvent(store().db, event(2, start, { url: 'https://example.com/a', source: 'news.example', country: 'US' }));
    await insertEvent(store().db, event(2, start + MIN, { name: 'engagement', url: 'https://example.com/a', engaged_ms: 30_000 }));
    await insertEvent(store().db, event(3, Date.now() - MIN, { url: 'https://example.com/live' }));
    await runEngine(store());

    for (const query of ['period=today', 'period=today&f=country:DE']) {
      const html = await (await browser.get(`/site/1?${query}`)).text();
      const card = (title: string) => new RegExp(`<dt>${title}</dt><dd><span class="big">([^<]+)</span>`).exec(html)?.[1];
      const stats = (await (await api(`/sites/1/stats?${query}`)).json()) as { totals: Record<string, number> };
      expect(String(stats.totals.visitors), query).toBe(card('Unique visitors'));
      expect(String(stats.totals.visits)).toBe(card('Visits'));
      expect(String(stats.totals.pageviews)).toBe(card('Page views'));
      expect(`${Math.round((stats.totals.bounce_rate ?? 0) * 100)}%`).toBe(card('Bounce rate'));
      const pages = (await (await api(`/sites/1/breakdown/page?${query}`)).json()) as { rows: Array<{ value: string; visitors: number }> };
      const listed = Array.from(
        html
          .slice(html.indexOf('id="breakdown-page"'))
          .matchAll(/<td class="wrap"><a href="[^"]+">([^<]+)<\/a><\/td><td class="num">(\d+)<\/td>/g),
      )
        .slice(0, pages.rows.length)
        .map((m) => ({ value: m[1], visitors: Number(m[2]) }));
      expect(pages.rows.map(({ value, visitors }) => ({ value, visitors }))).toEqual(listed);
    }
    const stats = (await (await api('/sites/1/stats?period=today')).json()) as { totals: Record<string, number> };
    expect(stats.totals).toMatchObject({ visitors: 3, visits: 3, pageviews: 4, visit_duration_ms: 10_000 });
    // Naming the site's own zone changes nothing.
    expect(await (await api('/sites/1/stats?period=today&timezone=UTC')).json()).toEqual(stats);
    const before = Date.now();
    const series = (await (await api('/sites/1/timeseries?period=today')).json()) as {
      granularity: string;
      points: Array<{ pageviews: number }>;
    };
    expect(series.granularity).toBe('hour');
    // Today's hours up to the current one: none that has not begun.
    const hoursSoFar = (at: number) => new Date(at).getUTCHours() + 1;
    expect([hoursSoFar(before), hoursSoFar(Date.now())]).toContain(series.points.length);
    expect(series.points.reduce((sum, point) => sum + point.pageviews, 0)).toBe(4);
    expect(await (await api('/sites/1/realtime')).json()).toEqual({ visitors: 1, capped: false, pages: [{ page: '/live', visitors: 1 }] });
    const sources = (await (await api('/sites/1/breakdown/source?period=today&limit=1')).json()) as { rows: unknown[] };
    expect(sources.rows).toHaveLength(1);
  });

  it('pages through raw events with a cursor, newest first, within the period and filters', async () => {
    const { api, json } = await world();
    await api('/sites', json({ base_url: 'https://example.com' }));
    for (let i = 0; i < 5; i++) {
      await insertEvent(store().db, {
        site_id: 1,
        ts: Date.now() - (i + 1) * MIN,
        name: `e${i}`,
        url: '/',
        referrer: null,
        browser: null,
        ip: null,
      });
    }
    await insertEvent(store().db, {
      site_id: 1,
      ts: Date.parse('2020-01-01'),
      name: 'old',
      url: '/',
      referrer: null,
      browser: null,
      ip: null,
    });
    const names: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = (await (await api(`/sites/1/events?period=7d&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
        events: Array<{ name: string }>;
        next_cursor: string | null;
      };
      names.push(...page.events.map((event) => event.name));
      cursor = page.next_cursor;
    }
    expect(names).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    const filtered = (await (await api('/sites/1/events?period=7d&f=event:e3')).json()) as { events: Array<{ name: string }> };
    expect(filtered.events.map((event) => event.name)).toEqual(['e3']);
  });

  it('limits each key to its rate, with 429 and Retry-After', async () => {
    const { api } = await world(3);
    for (let i = 0; i < 3; i++) expect((await api('/sites')).status).toBe(200);
    const res = await api('/sites');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });

  it('publishes an OpenAPI 3.1 document made from the schemas that check requests', async () => {
    const { api } = await world();
    const res = await api('/openapi.json', {}, null);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; parameters?: Array<{ name: string }> }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const op of Object.values(OPERATIONS)) {
      const described = doc.paths[op.path]?.[op.method];
      expect(described?.operationId).toBe(op.id);
      expect((described?.parameters ?? []).map((p) => p.name)).toEqual([...Object.keys(op.params.shape), ...Object.keys(op.query.shape)]);
    }
    expect((await api('/nowhere')).status).toBe(404);
    expect(await (await api('/nowhere')).json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
