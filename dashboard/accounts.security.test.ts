// Security findings on accounts and sessions, each reproduced: API keys
// outlived a password change, pages that show secrets could be cached, and
// the session cookie's lifetime was not renewed with the session.
import { describe, expect, it } from 'vitest';
import { insertEvent } from '../core/db/events.js';
import { insertSite } from '../core/db/sites.js';
import { testApp } from '../test/app.js';
import { dialects, useTestStore } from '../test/store.js';
import { TestBrowser } from '../test/test-browser.js';
import { SESSION_IDLE_MS } from './auth.js';

const PASSWORD = 'correct horse battery';

describe.each(dialects)('accounts and sessions on %s', (dialect) => {
  const store = useTestStore(dialect);

  async function world() {
    const server = testApp(store());
    const browser = new TestBrowser(server);
    await browser.register('owner@example.com', PASSWORD);
    await insertSite(store().db, { base_url: 'https://example.com', domain: 'example.com', name: 'Example', created_at: 0, owner_id: 1 });
    const makeKey = async () => {
      const made = await browser.post('/account/keys', { name: 'Script' });
      expect(made.status).toBe(201);
      return { page: made, key: /id="new-api-key">(sl_[\w-]{43})</.exec(await made.text())?.[1] ?? '' };
    };
    const api = (key: string, path = '/sites') => server.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { server, browser, makeKey, api };
  }

  it('revokes every API key when the password changes, after saying so on the form; later keys work', async () => {
    const { browser, makeKey, api } = await world();
    const { key } = await makeKey();
    expect((await api(key)).status).toBe(200);
    expect(await (await browser.get('/account')).text()).toContain('every API key of this account is revoked');
    const changed = await browser.post('/account/password', { current: PASSWORD, password: 'another long password' });
    expect(changed.status).toBe(303);
    expect((await api(key)).status).toBe(401);
    const later = await makeKey();
    expect((await api(later.key)).status).toBe(200);
  });

  it('keeps the password and the keys when the current password is wrong', async () => {
    const { browser, makeKey, api } = await world();
    const { key } = await makeKey();
    expect((await browser.post('/account/password', { current: 'not it at all', password: 'another long password' })).status).toBe(400);
    expect((await api(key)).status).toBe(200);
  });

  it('tells browsers and proxies to keep no page that shows a secret', async () => {
    const { browser, makeKey, api } = await world();
    const { page, key } = await makeKey();
    await insertEvent(store().db, { site_id: 1, ts: Date.now() - 60_000, name: 'pageview', url: 'https://example.com/', ip: '192.0.2.0' });
    const share = await browser.post('/site/1/shares');
    const answers = {
      'the new key': page,
      'the new share link': share,
      'the account page': await browser.get('/account'),
      'the report with addresses': await browser.get('/site/1?period=today'),
      'the events export': await browser.get('/site/1/export/events.csv?period=today'),
      'the API': await api(key, '/sites/1/events?period=today'),
    };
    for (const [what, res] of Object.entries(answers)) {
      expect(res.status, what).toBeLessThan(400);
      expect(res.headers.get('cache-control'), what).toBe('no-store');
    }
    // The stylesheet, which is no secret, stays cacheable.
    expect((await browser.get('/assets/style.css')).headers.get('cache-control')).toBe('public, max-age=300');
  });

  it("renews the session cookie's Max-Age when it notes the session's use", async () => {
    const { browser } = await world();
    const quiet = await browser.get('/account');
    expect(quiet.headers.get('set-cookie') ?? '').not.toContain('sightline_session=');
    // Last used two hours ago: this request notes the use, and so renews the cookie.
    await store()
      .db.updateTable('sessions')
      .set({ last_seen_at: Date.now() - 2 * 3600_000 })
      .execute();
    const res = await browser.get('/account');
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`sightline_session=${browser.cookie('sightline_session')}`);
    expect(cookie).toContain(`Max-Age=${SESSION_IDLE_MS / 1000}`);
    expect(cookie).toContain('HttpOnly');
  });
});
