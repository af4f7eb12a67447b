// Who may do what: every dashboard route and method, as an anonymous
// visitor, the site's owner, another account, and the holder of a share link.

import { describe, expect, it } from 'vitest';
import { insertApiKey, insertSession, insertShareLink, insertUser } from '../core/db/accounts.js';
import { insertEvent } from '../core/db/events.js';
import { insertSite } from '../core/db/sites.js';
import { testApp } from '../test/app.js';
import { countRows, createTestStore, dialects, useTestStore } from '../test/store.js';
import { TestBrowser } from '../test/test-browser.js';
import { newToken, tokenHash } from './auth.js';
import { hashPassword } from './password.js';

const PASSWORD = 'a long enough password';
// Cheap scrypt parameters: the hash string carries them, so login works as usual.
const passwordHash = await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 });
const SHARE = newToken();

type Role = 'anonymous' | 'other' | 'share' | 'owner';
/** A status, or `login`: a 303 to the login page. */
type Expected = Record<Role, number | 'login'>;

// The login page for everyone without an account; 404 for the other account,
// exactly as for a site that does not exist.
const ownerOnly = (owner: number): Expected => ({ anonymous: 'login', other: 404, share: 'login', owner });
const anyAccount = (status: number): Expected => ({ anonymous: 'login', other: status, share: 'login', owner: status });
const everyone = (status: number): Expected => ({ anonymous: status, other: status, share: status, owner: status });

const routes: Array<[string, string, Record<string, string> | undefined, Expected]> = [
  ['GET', '/', undefined, anyAccount(200)],
  ['POST', '/site', { base_url: 'https://new.example' }, anyAccount(303)],
  ['GET', '/site/1', undefined, ownerOnly(200)],
  ['GET', '/site/1?before=1.1', undefined, ownerOnly(200)],
  ['POST', '/site/1/filters', { excluded_ips: '10.0.0.0/8' }, ownerOnly(303)],
  ['GET', '/site/1/settings', undefined, ownerOnly(200)],
  ['GET', '/site/1?period=7d&f=country:DE', undefined, ownerOnly(200)],
  ['GET', '/site/1/export/page.csv', undefined, ownerOnly(200)],
  ['GET', '/site/1/export/events.csv', undefined, ownerOnly(200)],
  ['GET', '/site/1/realtime', undefined, ownerOnly(200)],
  ['POST', '/site/1/settings', { base_url: 'https://renamed.example', name: 'Renamed' }, ownerOnly(303)],
  ['POST', '/site/1/shares', {}, ownerOnly(201)],
  ['POST', '/site/1/shares/1/revoke', {}, ownerOnly(303)],
  ['GET', '/site/1/delete', undefined, ownerOnly(200)],
  ['POST', '/site/1/delete', { confirm: 'example.com' }, ownerOnly(303)],
  ['GET', `/share/${SHARE}`, undefined, everyone(200)],
  ['GET', `/share/${SHARE}?before=1.1`, undefined, everyone(200)],
  ['GET', `/share/${SHARE}/export/source.csv`, undefined, everyone(200)],
  ['GET', `/share/${SHARE}/realtime`, undefined, everyone(200)],
  ['GET', `/share/${'x'.repeat(43)}/realtime`, undefined, everyone(404)],
  ['GET', `/share/${'x'.repeat(43)}/export/source.csv`, undefined, everyone(404)],
  ['GET', `/share/${'x'.repeat(43)}`, undefined, everyone(404)],
  ['GET', '/share/short', undefined, everyone(404)],
  ['GET', '/account', undefined, anyAccount(200)],
  ['POST', '/account/password', { current: PASSWORD, password: 'another long password' }, anyAccount(303)],
  // Only when registration is by invitation.
  ['POST', '/account/invites', {}, anyAccount(404)],
  ['POST', '/account/keys', { name: 'Script' }, anyAccount(201)],
  // Key 1 is the owner's: another account's revoke finds no such key.
  ['POST', '/account/keys/1/revoke', {}, { anonymous: 'login', other: 404, share: 'login', owner: 303 }],
  ['POST', '/logout', {}, everyone(303)],
  ['POST', '/login', { email: 'owner@example.com', password: PASSWORD }, everyone(303)],
  // The first to register takes the email; the share link's holder, also signed out, finds it taken.
  ['POST', '/register', { email: 'new@example.com', password: PASSWORD }, { anonymous: 303, share: 409, other: 409, owner: 409 }],
  ['GET', '/login', undefined, { anonymous: 200, other: 303, share: 200, owner: 303 }],
  ['GET', '/register', undefined, { anonymous: 200, other: 303, share: 200, owner: 303 }],
  ['GET', '/assets/style.css', undefined, everyone(200)],
  ['GET', '/favicon.ico', undefined, everyone(204)],
  ['GET', '/sites', undefined, everyone(301)],
  // The collector's routes stay open: anyone may send events to a site.
  ['POST', '/site/1/visit', { event: 'BashVisit', url: '/', ip_address: '1.2.3.4', date: '2013-11-09' }, everyone(201)],
  ['GET', '/sightline.js', undefined, everyone(200)],
];

/** Routes of the app that the matrix leaves to other tests, and why. */
const ELSEWHERE: Array<[RegExp, string]> = [
  [/^[A-Z]+ \/api\/v1\//, 'the JSON API takes keys, not sessions: its own matrix is in api/api.test.ts'],
  [/^OPTIONS /, "the collector's CORS preflights answer everyone alike (collector/app-routes.test.ts)"],
  [/^(POST \/api\/event|GET \/api\/pixel)$/, 'they count page views from beacons and Referer headers: collector/app*.test.ts'],
];

/** Whether a concrete request path is one that a route pattern such as `/site/:id/export/:file` serves. */
function serves(pattern: string, path: string): boolean {
  const source = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+');
  return new RegExp(`^${source}$`).test(path.split('?')[0] ?? '');
}

describe('the matrix', () => {
  it("has a row for every route the app serves, and serves every row's route", async () => {
    const store = await createTestStore('sqlite');
    try {
      const served = new Set(
        testApp(store)
          .routes.filter((route) => route.method !== 'ALL')
          .map((route) => `${route.method} ${route.path}`),
      );
      const checked = [...served].filter((route) => !ELSEWHERE.some(([pattern]) => pattern.test(route)));
      const rowless = (rows: typeof routes) =>
        checked.filter((route) => {
          const [method, pattern = ''] = route.split(' ');
          return !rows.some(([rowMethod, path]) => rowMethod === method && serves(pattern, path));
        });
      expect(rowless(routes)).toEqual([]);
      // Without its row, a route is named.
      expect(rowless(routes.filter(([method, path]) => `${method} ${path}` !== 'GET /account'))).toEqual(['GET /account']);
      const routeless = routes.filter(
        ([method, path]) => ![...served].some((route) => route.startsWith(`${method} `) && serves(route.slice(method.length + 1), path)),
      );
      expect(routeless).toEqual([]);
    } finally {
      await store.dispose();
    }
  });
});

describe.each(dialects)('access control on %s', (dialect) => {
  const store = useTestStore(dialect);

  async function world() {
    const server = testApp(store());
    const browsers = {} as Record<Role, TestBrowser>;
    for (const role of ['anonymous', 'share', 'other', 'owner'] as const) browsers[role] = new TestBrowser(server);
    for (const [role, email] of [
      ['owner', 'owner@example.com'],
      ['other', 'other@example.com'],
    ] as const) {
      const user = await insertUser(store().db, { email, name: '', password_hash: passwordHash, created_at: 0 });
      const token = newToken();
      await insertSession(store().db, tokenHash(token), user?.id ?? 0, Date.now());
      browsers[role].setCookie('sightline_session', token);
    }
    await insertSite(store().db, { base_url: 'https://example.com', domain: 'example.com', name: 'Example', created_at: 0, owner_id: 1 });
    await insertEvent(store().db, {
      site_id: 1,
      ts: 5,
      name: 'pageview',
      url: 'https://example.com/',
      referrer: null,
      browser: null,
      ip: null,
    });
    await insertShareLink(store().db, 1, tokenHash(SHARE), 0);
    await insertApiKey(store().db, { user_id: 1, name: 'Owner', key_hash: tokenHash('sl_owner'), prefix: 'sl_owne', created_at: 0 });
    return browsers;
  }

  const snapshot = async () => ({
    sites: await store().db.selectFrom('sites').selectAll().orderBy('id').execute(),
    links: await countRows(store().db, 'share_links'),
    keys: await countRows(store().db, 'api_keys'),
    sessions: await countRows(store().db, 'sessions'),
    users: await store().db.selectFrom('users').select(['id', 'password_hash']).orderBy('id').execute(),
  });

  it.each(routes)('%s %s', async (method, path, fields, expected) => {
    const browsers = await world();
    // The owner goes last: what the owner may change, the others must not have changed before.
    for (const role of ['anonymous', 'share', 'other', 'owner'] as const) {
      const browser = browsers[role];
      const before = await snapshot();
      const res = method === 'GET' ? await browser.get(path) : await browser.post(path, fields);
      const want = expected[role];
      expect(res.status, `${role}: ${method} ${path}`).toBe(want === 'login' ? 303 : want);
      if (want === 'login') expect(res.headers.get('location'), `${role}: ${method} ${path}`).toMatch(/^\/login(\?next=|$)/);
      // Refused requests change nothing.
      if (want === 'login' || want === 404) expect(await snapshot(), `${role}: ${method} ${path}`).toEqual(before);
    }
  });

  it('answers a path that no route serves with 404, signed in or not', async () => {
    const { anonymous, owner } = await world();
    for (const path of ['/site/1/nope', '/site/1/settings/x', '/site/abc/nope', '/site/999/nope', '/account/nope']) {
      for (const [role, browser] of [
        ['anonymous', anonymous],
        ['owner', owner],
      ] as const) {
        expect((await browser.get(path)).status, `${role}: GET ${path}`).toBe(404);
      }
    }
  });

  it("answers another account's site exactly as a site that does not exist", async () => {
    const { other } = await world();
    for (const [mine, missing] of [
      ['/site/1', '/site/999'],
      ['/site/1/settings', '/site/999/settings'],
      ['/site/1/delete', '/site/999/delete'],
    ] as const) {
      const a = await other.get(mine);
      const b = await other.get(missing);
      expect([a.status, await a.text()]).toEqual([b.status, await b.text()]);
      expect(a.status).toBe(404);
    }
  });

  it('sends an anonymous visitor to the login page and back to where they were going', async () => {
    const { anonymous } = await world();
    const res = await anonymous.get('/site/1/settings?x=1');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/site/1/settings?x=1')}`);
    const login = await anonymous.get(res.headers.get('location') ?? '');
    expect(await login.text()).toContain('name="next" value="/site/1/settings?x=1"');
    const done = await anonymous.post('/login', { email: 'owner@example.com', password: PASSWORD, next: '/site/1/settings?x=1' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/site/1/settings?x=1');
  });

  it('shows the shared report read-only: events, no snippet, settings or filters', async () => {
    const { share } = await world();
    const html = await (await share.get(`/share/${SHARE}`)).text();
    expect(html).toContain('Shared report, read-only');
    expect(html).toContain('https://example.com/');
    expect(html).not.toContain('id="snippet"');
    // Visitors' addresses are the owner's to see.
    expect(html).not.toContain('<th>IP</th>');
    expect((await (await share.get(`/share/${SHARE}/export/events.csv`)).text()).split('\r\n')[0]).not.toContain('ip');
    expect(html).not.toContain('/settings');
    expect(html).not.toContain('id="filters"');
    // The period picker is a GET form; nothing on the page can change anything.
    expect(html).not.toContain('method="post"');
  });

  it('closes a share link when its owner revokes it', async () => {
    const { owner, share } = await world();
    expect((await share.get(`/share/${SHARE}`)).status).toBe(200);
    expect((await owner.post('/site/1/shares/1/revoke')).status).toBe(303);
    expect((await share.get(`/share/${SHARE}`)).status).toBe(404);
  });
});
