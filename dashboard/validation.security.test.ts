// Security findings on validation, each reproduced against the whole app as
// `npm start` serves it: a `__proto__` field slipped through, `jsonx` passed
// as JSON, `0x3` read as an id, future-dated visits sat in realtime, and an
// excluded address was told that it is excluded.

import { describe, expect, it } from 'vitest';
import { insertEvent } from '../core/db/events.js';
import { insertSite } from '../core/db/sites.js';
import { DROPPED_HEADER } from '../core/stats.js';
import { testApp } from '../test/app.js';
import { testIngest } from '../test/ingest.js';
import { countRows, dialects, useTestStore } from '../test/store.js';
import { TestBrowser } from '../test/test-browser.js';
import { runEngine } from './reports/engine.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(dialects)('validation on %s', (dialect) => {
  const store = useTestStore(dialect);

  async function world() {
    const ingest = testIngest(store());
    const server = testApp(store(), { ingest });
    const browser = new TestBrowser(server);
    await browser.register('owner@example.com');
    await insertSite(store().db, { base_url: 'https://example.com', domain: 'example.com', name: 'Example', created_at: 0, owner_id: 1 });
    const made = await browser.post('/account/keys', { name: 'Script' });
    const key = /id="new-api-key">(sl_[\w-]{43})</.exec(await made.text())?.[1] ?? '';
    expect(key).not.toBe('');
    const api = (path: string, init: RequestInit = {}) =>
      server.request(`http://localhost:8787/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } });
    return { server, browser, api, ingest };
  }

  it.each([
    ['a query parameter', '/sites/1/stats?period=30d&__proto__=x', undefined],
    ['a body field', '/sites/1', JSON.stringify({ name: 'Renamed', __proto__: 'x' })],
  ])('refuses `__proto__` as %s, as it refuses any unknown name', async (_label, path, body) => {
    const { api } = await world();
    // JSON.stringify drops a literal's __proto__; the raw text keeps it.
    const raw = body?.replace('"name"', '"__proto__":"x","name"');
    const res = await api(path, raw === undefined ? {} : { method: 'PATCH', body: raw, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields).toHaveProperty('__proto__');
    expect((await store().db.selectFrom('sites').select('name').executeTakeFirstOrThrow()).name).toBe('Example');
  });

  it('refuses `__proto__` in a beacon', async () => {
    const { server, ingest } = await world();
    const res = await server.request('/api/event', {
      method: 'POST',
      body: '{"s":1,"u":"https://example.com/","__proto__":{"x":1}}',
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('__proto__');
    await ingest.writer.close();
    expect(await countRows(store().db, 'events')).toBe(0);
  });

  it.each([
    ['application/jsonx', 415],
    ['application/json-patch', 415],
    ['text/json', 415],
    ['application/json; charset=utf-8', 200],
    ['application/merge-patch+json', 200],
    ['Application/JSON', 200],
  ])('takes a body as JSON only for JSON media types: %s', async (type, status) => {
    const { api } = await world();
    const res = await api('/sites/1', { method: 'PATCH', body: JSON.stringify({ name: 'Renamed' }), headers: { 'content-type': type } });
    expect(res.status).toBe(status);
  });

  it.each(['0x1', '1e0', '+1', ' 1', '1.0'])('reads only plain digits as a key id: %s is no key', async (id) => {
    const { browser, api } = await world();
    expect((await browser.post(`/account/keys/${encodeURIComponent(id)}/revoke`)).status).toBe(404);
    expect((await api('/sites')).status).toBe(200);
  });

  it('refuses a form visit dated more than a day ahead, and realtime never counts one', async () => {
    const { server, api, ingest } = await world();
    const far = await server.request('/site/1/visit', {
      method: 'POST',
      headers: form,
      body: 'event=Future&url=/&ip_address=1.2.3.4&date=2999-12-31',
    });
    expect(far.status).toBe(400);
    expect(await far.text()).toContain('date');
    // Tomorrow is allowed (somewhere it is tomorrow already), but it is not "right now".
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const ahead = await server.request('/site/1/visit', {
      method: 'POST',
      headers: form,
      body: `event=pageview&url=/&ip_address=1.2.3.4&date=${tomorrow}`,
    });
    expect(ahead.status).toBe(201);
    // And one visitor here now, so that realtime has someone to count.
    await insertEvent(store().db, {
      site_id: 1,
      ts: Date.now() - 60_000,
      name: 'pageview',
      url: 'https://example.com/now',
      visitor_id: 99,
    });
    await ingest.writer.close();
    await runEngine(store());
    expect(await countRows(store().db, 'visits')).toBe(2);
    const realtime = await api('/sites/1/realtime');
    expect(await realtime.json()).toMatchObject({ visitors: 1, pages: [{ page: '/now', visitors: 1 }] });
  });

  it.each([
    ['without PUBLIC_URL: the listen address, and a notice that says so', {}, 'http://localhost:8787', true],
    ['with PUBLIC_URL: that', { PUBLIC_URL: 'https://stats.example.org' }, 'https://stats.example.org', false],
  ])('never lets a Host header decide where the snippet and share links point; %s', async (_label, env, origin, notice) => {
    const server = testApp(store(), { env });
    const browser = new TestBrowser(server);
    await browser.register('owner@example.com');
    await insertSite(store().db, { base_url: 'https://example.com', domain: 'example.com', name: 'Example', created_at: 0, owner_id: 1 });
    const cookie = `sightline_session=${browser.cookie('sightline_session')}`;
    const report = await (await server.request('http://evil.example/site/1', { headers: { cookie } })).text();
    const shared = await (
      await server.request('http://evil.example/site/1/shares', {
        method: 'POST',
        body: new URLSearchParams({ _csrf: await browser.csrfToken() }).toString(),
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      })
    ).text();
    for (const html of [report, shared]) {
      expect(html).not.toContain('evil.example');
      expect(html.includes('PUBLIC_URL is not set')).toBe(notice);
    }
    expect(report).toContain(`${origin}/sightline.js`);
    expect(shared).toMatch(new RegExp(`${origin.replaceAll('.', '\\.')}/share/[\\w-]{43}`));
  });

  it('answers an excluded address as if stored: no reason in the header or the body, but counted', async () => {
    const { server, ingest } = await world();
    await store().db.updateTable('sites').set({ excluded_ips: '1.2.3.0/24' }).execute();
    const visit = await server.request('/site/1/visit', {
      method: 'POST',
      headers: form,
      body: 'event=pageview&url=/&ip_address=1.2.3.4&date=2013-11-09',
    });
    expect(visit.status).toBe(201);
    expect(visit.headers.get(DROPPED_HEADER)).toBeNull();
    expect(await visit.text()).toBe('Added visit for site 1\n');
    await ingest.writer.close();
    expect(await countRows(store().db, 'events')).toBe(0);
    expect(await store().db.selectFrom('filtered_hits').select(['reason', 'hits']).execute()).toEqual([{ reason: 'ip', hits: 1 }]);
  });
});
