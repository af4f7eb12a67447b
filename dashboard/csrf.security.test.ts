// Security finding on CSRF, reproduced: the token was not bound to the
// session, so a planted `sightline_csrf` cookie with the same value in the
// form passed; the cookie had no `__Host-` prefix and was not rotated at login.
import { describe, expect, it } from 'vitest';
import { testApp } from '../test/app.js';
import { dialects, useTestStore } from '../test/store.js';
import { TestBrowser } from '../test/test-browser.js';

describe.each(dialects)('CSRF tokens on %s', (dialect) => {
  const store = useTestStore(dialect);
  const app = (env: Record<string, string> = {}) => testApp(store(), { env });
  const form = (fields: Record<string, string>, cookie: string): RequestInit => ({
    method: 'POST',
    body: new URLSearchParams(fields).toString(),
    // From the dashboard's own page, as a browser says: only the token is wrong.
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie,
      origin: 'http://localhost:8787',
      'sec-fetch-site': 'same-origin',
    },
  });

  it('refuses a planted CSRF cookie with the same value in the form, for a signed-in browser', async () => {
    const server = app();
    const browser = new TestBrowser(server);
    await browser.register('owner@example.com');
    const planted = 'p'.repeat(43);
    const res = await server.request(
      'http://localhost:8787/site',
      form(
        { base_url: 'https://example.com', _csrf: planted },
        `sightline_csrf=${planted}; sightline_session=${browser.cookie('sightline_session')}`,
      ),
    );
    expect(res.status).toBe(403);
    expect(await store().db.selectFrom('sites').selectAll().execute()).toEqual([]);
  });

  it("binds the token to the session: one account's token does not work with another's session", async () => {
    const server = app();
    const ada = new TestBrowser(server);
    await ada.register('ada@example.com');
    const bob = new TestBrowser(server, '203.0.113.51');
    await bob.register('bob@example.com');
    const adasToken = await ada.csrfToken();
    expect(adasToken).not.toBe(await bob.csrfToken());
    const res = await server.request(
      'http://localhost:8787/site',
      form({ base_url: 'https://example.com', _csrf: adasToken }, `sightline_session=${bob.cookie('sightline_session')}`),
    );
    expect(res.status).toBe(403);
    expect((await bob.post('/site', { base_url: 'https://example.com' })).status).toBe(303);
  });

  it('rotates the token at login: the token of before, or of an earlier session, no longer works', async () => {
    const server = app();
    const browser = new TestBrowser(server);
    const anonymous = await browser.csrfToken();
    await browser.register('owner@example.com');
    const first = await browser.csrfToken();
    expect(first).not.toBe(anonymous);
    await browser.post('/logout');
    expect((await browser.login('owner@example.com')).status).toBe(303);
    const second = await browser.csrfToken();
    expect(second).not.toBe(first);
    for (const stale of [anonymous, first]) {
      const res = await server.request(
        'http://localhost:8787/site',
        form({ base_url: 'https://example.com', _csrf: stale }, `sightline_session=${browser.cookie('sightline_session')}`),
      );
      expect(res.status).toBe(403);
    }
  });

  it.each([
    ['an https request', {}, 'https://localhost/login'],
    ['an https PUBLIC_URL behind a proxy', { PUBLIC_URL: 'https://stats.example.org' }, 'http://localhost:8787/login'],
  ])('keeps the cookie as __Host-sightline_csrf on %s', async (_label, env, url) => {
    const res = await app(env).request(url);
    const cookie = res.headers.getSetCookie().find((line) => line.includes('sightline_csrf=')) ?? '';
    expect(cookie).toMatch(/^__Host-sightline_csrf=[\w-]{43}; /);
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain('Secure');
    expect(cookie).not.toContain('Domain');
  });

  it.each([
    ['from another site, by Sec-Fetch-Site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, 403],
    ['from another origin, by Origin alone', { origin: 'https://evil.example' }, 403],
    ['saying neither where it comes from', {}, 403],
    ['from the same origin, by Origin alone', { origin: 'http://localhost:8787' }, 303],
    ['from the public URL, behind a proxy that ends TLS', { origin: 'https://stats.example.org' }, 303],
  ])('checks where a form with a good token comes from: %s', async (_label, headers: Record<string, string>, status) => {
    const server = app({ PUBLIC_URL: 'https://stats.example.org' });
    const browser = new TestBrowser(server);
    await browser.register('owner@example.com');
    const res = await server.request('http://localhost:8787/site', {
      method: 'POST',
      body: new URLSearchParams({ base_url: 'https://example.com', _csrf: await browser.csrfToken() }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `sightline_session=${browser.cookie('sightline_session')}`,
        ...headers,
      },
    });
    expect(res.status).toBe(status);
    if (status === 403) expect(await res.text()).toContain('came from another site');
    expect(await store().db.selectFrom('sites').selectAll().execute()).toHaveLength(status === 303 ? 1 : 0);
  });
});
