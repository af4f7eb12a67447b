import { describe, expect, it } from 'vitest';
import { insertInvite } from '../core/db/accounts.js';
import { insertEvent } from '../core/db/events.js';
import { insertSite } from '../core/db/sites.js';
import { testApp } from '../test/app.js';
import { countRows, dialects, useTestStore } from '../test/store.js';
import { TestBrowser } from '../test/test-browser.js';
import { newToken, SESSION_IDLE_MS, safeNext, tokenHash } from './auth.js';
import { CONTENT_SECURITY_POLICY } from './headers.js';
import { INVITE_TTL_MS } from './sign-in.js';
import { DEFAULT_THROTTLE, LoginThrottle } from './throttle.js';

const PASSWORD = 'a long enough password';

describe('safeNext', () => {
  it.each([
    ['/site/1?x=1#events', '/site/1?x=1#events'],
    ['/', '/'],
    [undefined, '/'],
    ['', '/'],
    ['https://evil.example/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example/', '/'],
    ['/\t/evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['site/1', '/'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['/.//evil.example', '/'],
    ['/a/..//evil.example', '/'],
  ])('takes %j to %j', (value, path) => {
    expect(safeNext(value)).toBe(path);
  });
});

describe.each(dialects)('accounts on %s', (dialect) => {
  const store = useTestStore(dialect);

  function app(env: Record<string, string> = {}, throttle?: LoginThrottle, sleep?: (ms: number) => Promise<void>) {
    return testApp(store(), { env, ...(throttle ? { throttle } : {}), ...(sleep ? { sleep } : {}) });
  }

  const users = () => store().db.selectFrom('users').select(['id', 'email', 'name']).orderBy('id').execute();

  it('registers an account, signs it in with an HttpOnly, SameSite=Lax cookie, and keeps only hashes', async () => {
    const browser = new TestBrowser(app());
    const res = await browser.post('/register', { email: ' Ada@Example.COM ', name: 'Ada', password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.getSetCookie().find((line) => line.startsWith('sightline_session='));
    expect(cookie).toMatch(/^sightline_session=[\w-]{43}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(await users()).toEqual([{ id: 1, email: 'ada@example.com', name: 'Ada' }]);
    const token = browser.cookie('sightline_session') ?? '';
    const stored = await store().db.selectFrom('sessions').select('token_hash').execute();
    expect(stored).toEqual([{ token_hash: tokenHash(token) }]);
    const hash = (await store().db.selectFrom('users').select('password_hash').executeTakeFirst())?.password_hash;
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain(PASSWORD);
    expect(await (await browser.get('/')).text()).toContain('ada@example.com');
  });

  it.each([
    ['an empty email', { email: '' }, 'Enter your email address.', 400],
    ['an invalid email', { email: 'ada@localhost' }, 'That is not a valid email address.', 400],
    ['an email with a control character', { email: 'ada\u0000@example.com' }, 'That is not a valid email address.', 400],
    ['a short password', { password: 'nine char' }, 'Use at least 10 characters.', 400],
    ['a name that is too long', { name: 'n'.repeat(101) }, 'Keep the name under 100 characters.', 400],
  ])('refuses registration with %s and says why', async (_label, fields, message, status) => {
    const browser = new TestBrowser(app());
    const res = await browser.post('/register', { email: 'ada@example.com', password: PASSWORD, ...fields });
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(message);
    expect(await countRows(store().db, 'users')).toBe(0);
  });

  it('refuses an email that is taken, whatever its case', async () => {
    const server = app();
    await new TestBrowser(server).register('ada@example.com');
    const res = await new TestBrowser(server).post('/register', { email: 'ADA@example.com', password: PASSWORD });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('An account with this email already exists.');
    expect(await countRows(store().db, 'users')).toBe(1);
  });

  it('gives the first account the sites added before accounts existed, and no one else', async () => {
    await insertSite(store().db, { base_url: 'https://old.example', domain: 'old.example', name: 'Old', created_at: 0 });
    const server = app();
    const first = new TestBrowser(server);
    await first.register('first@example.com');
    const second = new TestBrowser(server);
    await second.register('second@example.com');
    expect((await first.get('/site/1')).status).toBe(200);
    expect((await second.get('/site/1')).status).toBe(404);
  });

  it('logs in with one message for an unknown email and a wrong password, and a new token each time', async () => {
    const server = app();
    const owner = new TestBrowser(server);
    await owner.register('ada@example.com');
    const first = owner.cookie('sightline_session');
    const browser = new TestBrowser(server);
    const unknown = await browser.login('bob@example.com');
    const wrong = await browser.login('ada@example.com', 'not the password');
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    const [a, b] = [await unknown.text(), await wrong.text()];
    expect(a).toContain('Wrong email or password.');
    expect(b).toContain('Wrong email or password.');
    expect(browser.cookie('sightline_session')).toBeUndefined();
    const ok = await browser.login('ADA@example.com');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/');
    expect(browser.cookie('sightline_session')).toMatch(/^[\w-]{43}$/);
    expect(browser.cookie('sightline_session')).not.toBe(first);
    expect(await countRows(store().db, 'sessions')).toBe(2);
  });

  it('logs out with a POST that ends the session on the server, not only in the browser', async () => {
    const server = app();
    const browser = new TestBrowser(server);
    await browser.register('ada@example.com');
    const token = browser.cookie('sightline_session') ?? '';
    const res = await browser.post('/logout');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(browser.cookie('sightline_session')).toBeUndefined();
    // A copy of the old cookie opens nothing.
    const thief = new TestBrowser(server);
    thief.setCookie('sightline_session', token);
    expect((await thief.get('/')).status).toBe(303);
    expect(await countRows(store().db, 'sessions')).toBe(0);
    // GET /logout is no way to log someone out from another site.
    expect((await browser.get('/logout')).status).toBe(404);
  });

  it('changes the password, ending every other session, keeping this browser signed in', async () => {
    const server = app();
    const browser = new TestBrowser(server);
    await browser.register('ada@example.com');
    const laptop = new TestBrowser(server);
    await laptop.login('ada@example.com');
    const wrong = await browser.post('/account/password', { current: 'not my password', password: 'a new long password' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('That is not your current password.');
    const short = await browser.post('/account/password', { current: PASSWORD, password: 'short' });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('Use at least 10 characters.');
    const before = browser.cookie('sightline_session');
    const res = await browser.post('/account/password', { current: PASSWORD, password: 'a new long password' });
    expect(res.status).toBe(303);
    expect(browser.cookie('sightline_session')).not.toBe(before);
    expect(await (await browser.get('/account?changed=1')).text()).toContain('Password changed.');
    expect((await laptop.get('/')).status).toBe(303);
    expect((await new TestBrowser(server).login('ada@example.com')).status).toBe(401);
    expect((await new TestBrowser(server).login('ada@example.com', 'a new long password')).status).toBe(303);
  });

  it('ends a session after 30 days unused, and keeps one in use alive', async () => {
    const server = app();
    const browser = new TestBrowser(server);
    await browser.register('ada@example.com');
    const hash = tokenHash(browser.cookie('sightline_session') ?? '');
    const setLastSeen = (at: number) =>
      store().db.updateTable('sessions').set({ last_seen_at: at }).where('token_hash', '=', hash).execute();
    await setLastSeen(Date.now() - SESSION_IDLE_MS + 60_000);
    expect((await browser.get('/')).status).toBe(200);
    const touched = await store().db.selectFrom('sessions').select('last_seen_at').executeTakeFirst();
    expect(touched?.last_seen_at).toBeGreaterThan(Date.now() - 60_000);
    await setLastSeen(Date.now() - SESSION_IDLE_MS - 1);
    const res = await browser.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
  });

  it.each([
    ['SECURE_COOKIES', { SECURE_COOKIES: '1' }],
    ['an https PUBLIC_URL', { PUBLIC_URL: 'https://stats.example.org' }],
  ])('marks cookies Secure when %s says so', async (_label, env) => {
    const browser = new TestBrowser(app(env));
    const res = await browser.post('/register', { email: 'ada@example.com', password: PASSWORD });
    const cookies = res.headers.getSetCookie();
    expect(cookies.find((line) => line.startsWith('sightline_session='))).toContain('; Secure');
  });

  it('slows repeated failed logins, then refuses that address with 429 and when to retry, even with the right password', async () => {
    const slept: number[] = [];
    const server = app({}, new LoginThrottle(DEFAULT_THROTTLE), async (ms) => {
      slept.push(ms);
    });
    await new TestBrowser(server).register('ada@example.com');
    const attacker = new TestBrowser(server, '198.51.100.66');
    for (let i = 0; i < 10; i++) expect((await attacker.login('ada@example.com', `guess ${i} of many`)).status).toBe(401);
    expect(slept).toEqual([1000, 2000, 3000, 4000, 5000]);
    const refused = await attacker.login('ada@example.com');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(await refused.text()).toMatch(/Too many failed logins. Try again in 15 minutes, after \d\d:\d\d UTC./);
    // Not from another address that has not failed: the owner is never locked out.
    expect((await new TestBrowser(server, '192.0.2.1').login('ada@example.com')).status).toBe(303);
  });

  it('throttles failed logins sent all at once as it throttles them one by one', async () => {
    const server = app({}, new LoginThrottle(DEFAULT_THROTTLE), async () => {});
    await new TestBrowser(server).register('ada@example.com');
    const attacker = new TestBrowser(server, '198.51.100.77');
    await attacker.get('/login');
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => attacker.login('ada@example.com', `parallel guess ${i}`)));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(6);
  });

  it.each([
    ['closed', 403, 'does not take new accounts'],
    ['invite', 200, 'by invitation only'],
  ])('with REGISTRATION=%s, refuses registration without an invitation', async (policy, getStatus, message) => {
    const browser = new TestBrowser(app({ REGISTRATION: policy }));
    const page = await browser.get('/register');
    expect(page.status).toBe(getStatus);
    expect(await page.text()).toContain(message);
    const res = await browser.post('/register', { email: 'ada@example.com', password: PASSWORD });
    expect(res.status).toBe(403);
    expect(await countRows(store().db, 'users')).toBe(0);
  });

  it('with REGISTRATION=invite, lets one person register once per invitation link, within 7 days', async () => {
    const server = app({ REGISTRATION: 'invite' });
    const { createAccount } = await import('./users.js');
    await createAccount(store().db, { email: 'ada@example.com', name: '', password: PASSWORD });
    const ada = new TestBrowser(server);
    await ada.login('ada@example.com');
    const made = await ada.post('/account/invites');
    expect(made.status).toBe(201);
    const link = /http:\/\/localhost:8787\/register\?invite=([\w-]{43})/.exec(await made.text());
    const invite = link?.[1] ?? '';
    expect(invite).not.toBe('');
    expect(await store().db.selectFrom('invites').select('token_hash').execute()).toEqual([{ token_hash: tokenHash(invite) }]);

    const bob = new TestBrowser(server);
    expect(await (await bob.get(`/register?invite=${invite}`)).text()).toContain('name="invite"');
    expect((await bob.post('/register', { email: 'bob@example.com', password: PASSWORD, invite })).status).toBe(303);
    const eve = new TestBrowser(server);
    expect((await eve.post('/register', { email: 'eve@example.com', password: PASSWORD, invite })).status).toBe(403);

    const old = newToken();
    await insertInvite(store().db, tokenHash(old), 1, Date.now() - INVITE_TTL_MS - 1);
    expect((await eve.post('/register', { email: 'eve@example.com', password: PASSWORD, invite: old })).status).toBe(403);
    expect((await users()).map((u) => u.email)).toEqual(['ada@example.com', 'bob@example.com']);
  });

  it('edits a site, and deletes it with its events only after the domain is typed', async () => {
    const server = app();
    const browser = new TestBrowser(server);
    await browser.register('ada@example.com');
    expect((await browser.post('/site', { base_url: 'https://example.com' })).status).toBe(303);
    await insertEvent(store().db, { site_id: 1, ts: 1, name: 'pageview', url: '/', referrer: null, browser: null, ip: null });

    const bad = await browser.post('/site/1/settings', { base_url: 'example', name: 'X' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('must start with http:// or https://');
    expect((await browser.post('/site/1/settings', { base_url: 'https://www.example.org/', name: 'Renamed' })).status).toBe(303);
    expect(await store().db.selectFrom('sites').select(['base_url', 'domain', 'name']).execute()).toEqual([
      { base_url: 'https://www.example.org', domain: 'www.example.org', name: 'Renamed' },
    ]);

    const confirm = await browser.get('/site/1/delete');
    expect(await confirm.text()).toContain('its 1 events for good');
    const wrong = await browser.post('/site/1/delete', { confirm: 'example.com' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Type www.example.org to confirm.');
    expect(await countRows(store().db, 'sites')).toBe(1);
    const done = await browser.post('/site/1/delete', { confirm: 'WWW.example.org' });
    expect(done.status).toBe(303);
    expect(await countRows(store().db, 'sites')).toBe(0);
    expect(await countRows(store().db, 'events')).toBe(0);
  });

  it('creates a share link shown once, keeping only its hash', async () => {
    const server = app();
    const browser = new TestBrowser(server);
    await browser.register('ada@example.com');
    await browser.post('/site', { base_url: 'https://example.com' });
    const made = await browser.post('/site/1/shares');
    expect(made.status).toBe(201);
    const token = /\/share\/([\w-]{43})/.exec(await made.text())?.[1] ?? '';
    expect(await store().db.selectFrom('share_links').select('token_hash').execute()).toEqual([{ token_hash: tokenHash(token) }]);
    expect(await (await browser.get('/site/1/settings')).text()).not.toContain(token);
    expect((await new TestBrowser(server).get(`/share/${token}`)).status).toBe(200);
  });

  it('sends security headers with every dashboard page: no inline script, no framing', async () => {
    const server = app();
    const browser = new TestBrowser(server);
    await browser.register('ada@example.com');
    for (const path of ['/login', '/', '/account', '/no/such/page']) {
      const res = await browser.get(path);
      expect(res.headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('same-origin');
      expect(res.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(res.headers.get('strict-transport-security'), path).toBeNull();
    }
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
  });
});
