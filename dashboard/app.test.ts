import { describe, expect, it } from 'vitest';
import { insertEvent } from '../core/db/events.js';
import { insertSite } from '../core/db/sites.js';
import { testApp } from '../test/app.js';
import { CHROME } from '../test/ingest.js';
import { dialects, useTestStore } from '../test/store.js';
import { TestBrowser } from '../test/test-browser.js';
import { EVENTS_PER_PAGE } from './report-routes.js';

describe.each(dialects)('dashboard on %s', (dialect) => {
  const store = useTestStore(dialect);

  function app(env: Record<string, string> = {}) {
    return testApp(store(), { env });
  }

  /** A browser signed in as the first account (user 1), on a fresh app. */
  async function owner(env: Record<string, string> = {}) {
    const server = app(env);
    const browser = new TestBrowser(server);
    await browser.register('owner@example.com');
    return { server, browser };
  }

  function postForm(fields: Record<string, string>, cookie: string) {
    return {
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    };
  }

  const site = { base_url: 'https://example.com', domain: 'example.com', name: 'Example', created_at: 0, owner_id: 1 };

  it('adds a site from the form and shows it with its snippet', async () => {
    const { browser } = await owner();
    const res = await browser.post('/site', { base_url: 'https://Example.com/blog/', name: '' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/site/1');
    expect(await store().db.selectFrom('sites').select(['base_url', 'domain', 'name']).execute()).toEqual([
      { base_url: 'https://example.com/blog', domain: 'example.com', name: 'example.com' },
    ]);

    const page = await (await browser.get('/site/1')).text();
    expect(page).toContain(
      '&lt;script defer src=&quot;http://localhost:8787/sightline.js&quot; data-site=&quot;1&quot;&gt;&lt;/script&gt;',
    );

    const home = await (await browser.get('/')).text();
    expect(home).toContain('<a href="/site/1">1</a>');
    expect(home).toContain('https://example.com/blog');
  });

  it('puts PUBLIC_URL into the snippet when set', async () => {
    const { browser } = await owner({ PUBLIC_URL: 'https://stats.example.org' });
    await insertSite(store().db, site);
    const page = await (await browser.get('/site/1')).text();
    expect(page).toContain('src=&quot;https://stats.example.org/sightline.js&quot;');
  });

  it.each([
    ['an empty base URL', { base_url: '' }, 'Enter the address of your site'],
    ['a base URL without a scheme', { base_url: 'example.com' }, 'must start with http:// or https://'],
    ['a javascript: URL', { base_url: 'javascript:alert(1)' }, 'must start with http:// or https://'],
    ['an ftp URL', { base_url: 'ftp://example.com' }, 'must start with http:// or https://'],
    ['a NUL in the name', { base_url: 'https://example.com', name: 'a\u0000b' }, 'cannot contain NUL'],
    ['a name that is too long', { base_url: 'https://example.com', name: 'n'.repeat(101) }, 'Keep the name under 100 characters'],
  ])('refuses %s with a clear message and stores nothing', async (_label, fields, message) => {
    const { browser } = await owner();
    const res = await browser.post('/site', { name: '', ...fields });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(message);
    expect(html).toContain('aria-invalid="true"');
    expect(await store().db.selectFrom('sites').selectAll().execute()).toEqual([]);
  });

  it.each([
    ['no token', () => ({ base_url: 'https://example.com' }), ''],
    ['a wrong token', () => ({ base_url: 'https://example.com', _csrf: 'x'.repeat(43) }), ''],
    [
      'a planted CSRF cookie and the same value in the form',
      () => ({ base_url: 'https://example.com', _csrf: 'p'.repeat(43) }),
      `sightline_csrf=${'p'.repeat(43)}; `,
    ],
  ])('refuses a state-changing form with %s (403)', async (_label, fields, planted) => {
    const { server, browser } = await owner();
    const cookie = `${planted}sightline_session=${browser.cookie('sightline_session')}`;
    const res = await server.request('http://localhost:8787/site', postForm(fields(), cookie));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This form has expired or came from another site');
    expect(await store().db.selectFrom('sites').selectAll().execute()).toEqual([]);
  });

  it('refuses an oversized form with 413 before reading it', async () => {
    const { browser } = await owner();
    const res = await browser.post('/site', { base_url: 'https://example.com', name: 'n'.repeat(70_000) });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('That form is larger');
    expect(await store().db.selectFrom('sites').selectAll().execute()).toEqual([]);
  });

  it('shows a curl visit through the form route on the site page', async () => {
    const { server, browser } = await owner();
    await insertSite(store().db, site);
    const res = await server.request('/site/1/visit', {
      method: 'POST',
      body: 'event=BashVisit&browser=cURL&url=/&ip_address=1.2.3.4&date=2013-11-09',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(201);
    const page = await (await browser.get('/site/1')).text();
    expect(page).toContain(
      '<td class="nowrap">2013-11-09 00:00:00</td><td>BashVisit</td><td class="wrap">/</td><td class="wrap"></td><td class="wrap"></td><td class="wrap">cURL</td><td>1.2.3.0</td>',
    );
    expect(page).toContain('<td>1.2.3.0</td>');
    const home = await (await browser.get('/')).text();
    expect(home).toContain('<td class="num">1</td>');
  });

  it('shows custom properties and engaged time', async () => {
    const { browser } = await owner();
    const { id } = await insertSite(store().db, site);
    await insertEvent(store().db, {
      site_id: id,
      ts: 2,
      name: 'Signup',
      url: '/',
      referrer: null,
      browser: null,
      ip: null,
      props: '{"plan":"pro","seats":3}',
    });
    await insertEvent(store().db, {
      site_id: id,
      ts: 1,
      name: 'engagement',
      url: '/',
      referrer: null,
      browser: null,
      ip: null,
      engaged_ms: 12_345,
    });
    const page = await (await browser.get('/site/1')).text();
    expect(page).toContain('<td class="wrap">plan: pro, seats: 3</td>');
    expect(page).toContain('<td class="wrap">12.3 s engaged</td>');
  });

  it('escapes every value that came from a visitor', async () => {
    const { browser } = await owner();
    const { id } = await insertSite(store().db, site);
    await insertEvent(store().db, {
      site_id: id,
      ts: 1,
      name: '<img src=x onerror=alert(1)>',
      url: 'https://example.com/"><script>alert(1)</script>',
      referrer: "javascript:alert('r')",
      browser: '<b>ua</b>',
      ip: null,
      props: '{"<i>k</i>":"<u>v</u>"}',
    });
    const page = await (await browser.get('/site/1')).text();
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<b>ua</b>');
    expect(page).not.toContain('<i>k</i>');
    expect(page).toContain('&lt;i&gt;k&lt;/i&gt;: &lt;u&gt;v&lt;/u&gt;');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('pages events newest first', async () => {
    const { browser } = await owner();
    const { id } = await insertSite(store().db, site);
    const total = EVENTS_PER_PAGE * 2 + 7;
    const rows = Array.from({ length: total }, (_, i) => ({
      site_id: id,
      ts: 1_000 + i,
      name: `e${i}`,
      url: '/',
      referrer: null,
      browser: null,
      ip: null,
    }));
    await store().db.insertInto('events').values(rows).execute();
    const names: string[] = [];
    let path: string | undefined = '/site/1';
    let pages = 0;
    while (path !== undefined) {
      const html = await (await browser.get(path)).text();
      names.push(...Array.from(html.matchAll(/<td>(e\d+)<\/td>/g), (m) => m[1] ?? ''));
      path = /href="(\/site\/1\?before=[\d.]+&amp;[^"#]*)#events-list">Older events/.exec(html)?.[1]?.replaceAll('&amp;', '&');
      pages++;
    }
    expect(pages).toBe(3);
    expect(names).toEqual(Array.from({ length: total }, (_, i) => `e${total - 1 - i}`));
  });

  it.each([
    ['/site/99', 'an unknown site'],
    ['/site/abc', 'a site id that is not a number'],
    ['/site/0', 'site zero'],
    ['/no/such/page', 'an unknown page'],
  ])('answers %s (%s) with a real 404 page', async (path) => {
    const { browser } = await owner();
    const res = await browser.get(path);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('<h1>Not found</h1>');
  });

  it('answers a broken page link with 400, not a crash', async () => {
    const { browser } = await owner();
    await insertSite(store().db, site);
    const res = await browser.get('/site/1?before=yesterday');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('That page link is broken');
  });

  it('saves collector filters, which apply to the next event at once', async () => {
    const { server, browser } = await owner({ IP_STORAGE: 'full' });
    await insertSite(store().db, site);
    const beacon = () =>
      server.request(
        '/api/event',
        { method: 'POST', body: JSON.stringify({ s: 1, u: 'https://mirror.example.net/' }), headers: { 'user-agent': CHROME } },
        { incoming: { socket: { remoteAddress: '198.51.100.7' } } },
      );
    // Another host: dropped until the site allows any host.
    expect((await beacon()).headers.get('x-sightline-dropped')).toBe('host');
    const saved = await browser.post('/site/1/filters', { allow_any_host: 'on', excluded_ips: ' 10.0.0.0/8\n\n2001:db8::/32 ' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/site/1#filters');
    expect(await store().db.selectFrom('sites').select(['allow_any_host', 'excluded_ips']).executeTakeFirst()).toEqual({
      allow_any_host: 1,
      excluded_ips: '10.0.0.0/8\n2001:db8::/32',
    });
    expect((await beacon()).headers.get('x-sightline-dropped')).toBeNull();
    await browser.post('/site/1/filters', { excluded_ips: '198.51.100.0/24' });
    expect((await beacon()).headers.get('x-sightline-dropped')).toBe('host');
  });

  it('refuses filters it cannot read, naming each bad entry', async () => {
    const { browser } = await owner();
    await insertSite(store().db, site);
    const res = await browser.post('/site/1/filters', { excluded_ips: '10.0.0.0/8\noffice\n1.2.3.4/40' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Not an IP address or CIDR network: office, 1.2.3.4/40');
    expect((await store().db.selectFrom('sites').select('excluded_ips').executeTakeFirst())?.excluded_ips).toBe('');
  });

  it('shows how many hits were filtered this month, by reason', async () => {
    const { browser } = await owner();
    await insertSite(store().db, site);
    const today = new Date().toISOString().slice(0, 10);
    await store()
      .db.insertInto('filtered_hits')
      .values([
        { site_id: 1, day: today, reason: 'bot', hits: 400 },
        { site_id: 1, day: `${today.slice(0, 8)}01`, reason: 'bot', hits: 12 },
        { site_id: 1, day: '2000-01-01', reason: 'bot', hits: 999 },
        { site_id: 1, day: today, reason: 'ip', hits: 3 },
      ])
      .onConflict((oc) => oc.doNothing())
      .execute();
    const html = await (await browser.get('/site/1')).text();
    // On the 1st, the two rows of this month are one row, kept at 400.
    const bots = today.endsWith('-01') ? 400 : 412;
    expect(html).toContain(`Filtered this month: ${bots} bot hits, 0 hits from pages on other hosts, 3 hits from excluded addresses.`);
  });

  it('credits the geolocation database on every page', async () => {
    expect(await (await app().request('/login')).text()).toContain('<a href="https://db-ip.com">IP geolocation by DB-IP</a>');
  });

  it('serves its stylesheet and sends /sites to the home page', async () => {
    const css = await app().request('/assets/style.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const sites = await app().request('/sites');
    expect(sites.status).toBe(301);
    expect(sites.headers.get('location')).toBe('/');
  });
});
