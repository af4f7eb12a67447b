import { describe, expect, it } from 'vitest';
import { insertEvent } from '../core/db/events.js';
import type { NewEvent } from '../core/db/schema.js';
import { insertSite } from '../core/db/sites.js';
import { testApp } from '../test/app.js';
import { dialects, useTestStore } from '../test/store.js';
import { TestBrowser } from '../test/test-browser.js';
import { runEngine } from './reports/engine.js';
import { localDay } from './reports/zone.js';

const MIN = 60_000;

describe.each(dialects)('the report page on %s', (dialect) => {
  const store = useTestStore(dialect);

  async function owner() {
    const server = testApp(store());
    const browser = new TestBrowser(server);
    await browser.register('owner@example.com');
    await insertSite(store().db, { base_url: 'https://example.com', domain: 'example.com', name: 'Example', created_at: 0, owner_id: 1 });
    return { server, browser };
  }

  const event = (visitor: number, ts: number, fields: Partial<NewEvent> = {}): NewEvent => ({
    site_id: 1,
    ts,
    name: 'pageview',
    url: 'https://example.com/',
    referrer: null,
    browser: 'Firefox',
    ip: null,
    visitor_id: visitor,
    ...fields,
  });

  /** Today, a little after local midnight: two visitors from two sources, one of them signs up. */
  async function someVisits() {
    const start = Date.now() - 20 * MIN;
    await insertEvent(store().db, event(1, start, { url: 'https://example.com/pricing', source: 'search.example', country: 'DE' }));
    await insertEvent(store().db, event(1, start + MIN, { url: 'https://example.com/signup', source: null, country: 'DE' }));
    await insertEvent(store().db, event(1, start + 2 * MIN, { name: 'Signup', props: '{"plan":"pro"}' }));
    await insertEvent(store().db, event(2, start, { url: 'https://example.com/pricing', source: 'news.example', country: 'US' }));
    await insertEvent(store().db, event(2, start + MIN, { name: 'engagement', url: 'https://example.com/pricing', engaged_ms: 42_000 }));
    // As the engine's thread does within a second of the events.
    await runEngine(store());
  }

  const cards = (html: string) =>
    Object.fromEntries(Array.from(html.matchAll(/<dt>([^<]+)<\/dt><dd><span class="big">([^<]+)<\/span>/g), (m) => [m[1], m[2]]));
  const rowLinks = (html: string, dimension: string) => {
    const section = html.slice(html.indexOf(`id="breakdown-${dimension}"`));
    return Array.from(section.slice(0, section.indexOf('</table>')).matchAll(/<td class="wrap"><a href="([^"]+)">([^<]+)<\/a>/g), (m) => ({
      href: m[1]?.replaceAll('&amp;', '&') ?? '',
      label: m[2] ?? '',
    }));
  };

  it("shows today's top line, chart, breakdowns and realtime visitors", async () => {
    const { browser } = await owner();
    await someVisits();
    const res = await browser.get('/site/1?period=today');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(cards(html)).toEqual({
      'Unique visitors': '2',
      Visits: '2',
      'Page views': '3',
      'Views per visit': '1.50',
      'Bounce rate': '50%',
      'Visit duration': '21s',
    });
    expect(rowLinks(html, 'page').map((row) => row.label)).toEqual(['/pricing', '/signup']);
    // One visitor each; the visit from search saw more pages.
    expect(rowLinks(html, 'source').map((row) => row.label)).toEqual(['search.example', 'news.example']);
    expect(rowLinks(html, 'country').map((row) => row.label)).toEqual(['Germany (DE)', 'United States (US)']);
    expect(html).toContain('Signup: plan = pro');
    expect(html).toMatch(/<svg[^>]*class="chart-svg"/);
    // Both visitors came in the same hour.
    expect(html).toMatch(/<title>\d{4}-\d\d-\d\d \d\d:00: 2 visitors, [23] page views<\/title>/);
    expect(html).toContain('<strong>0</strong> visitors in the last 5 minutes.');
    await insertEvent(store().db, event(3, Date.now() - MIN, { url: 'https://example.com/live?x=1' }));
    await runEngine(store());
    const live = await (await browser.get('/site/1?period=today')).text();
    expect(live).toContain('<strong>1</strong> visitor in the last 5 minutes, on /live (1).');
  });

  it('has a live view that reloads itself without a script', async () => {
    const { browser } = await owner();
    await someVisits();
    const report = await (await browser.get('/site/1?period=today')).text();
    expect(report).toContain('<a href="/site/1/realtime">Live view</a>');
    const quiet = await browser.get('/site/1/realtime');
    expect(quiet.status).toBe(200);
    const html = await quiet.text();
    expect(html).toContain('<meta http-equiv="refresh" content="15"/>');
    expect(html).toContain('<strong>0</strong> visitors in the last 5 minutes.');
    expect(html).not.toContain('<script');
    await insertEvent(store().db, event(3, Date.now() - MIN, { url: 'https://example.com/live?x=1' }));
    await insertEvent(store().db, event(4, Date.now() - 2 * MIN, { url: 'https://example.com/live' }));
    await insertEvent(store().db, event(5, Date.now() - 2 * MIN, { url: 'https://example.com/pricing' }));
    await runEngine(store());
    const live = await (await browser.get('/site/1/realtime')).text();
    expect(live).toContain('<strong>3</strong> visitors in the last 5 minutes.');
    expect(Array.from(live.matchAll(/<td class="wrap">([^<]+)<\/td><td class="num">(\d+)<\/td>/g), (m) => [m[1], m[2]])).toEqual([
      ['/live', '2'],
      ['/pricing', '1'],
    ]);
  });

  it('filters the whole report by a clicked row, shows it as a removable chip, and keeps it in the URL', async () => {
    const { browser } = await owner();
    await someVisits();
    const html = await (await browser.get('/site/1?period=today')).text();
    const german = rowLinks(html, 'country').find((row) => row.label === 'Germany (DE)');
    expect(german?.href).toBe('/site/1?period=today&f=country%3ADE');
    const filtered = await (await browser.get(german?.href ?? '')).text();
    expect(cards(filtered)).toMatchObject({ 'Unique visitors': '1', Visits: '1', 'Page views': '2', 'Bounce rate': '0%' });
    expect(rowLinks(filtered, 'page').map((row) => row.label)).toEqual(['/pricing', '/signup']);
    expect(rowLinks(filtered, 'source').map((row) => row.label)).toEqual(['search.example']);
    expect(filtered).toContain('Countries: Germany (DE) ×');
    // Stacked: a second filter keeps the first; removing one keeps the other.
    const page = rowLinks(filtered, 'page').find((row) => row.label === '/signup');
    expect(page?.href).toBe('/site/1?period=today&f=country%3ADE&f=page%3A%2Fsignup');
    const both = await (await browser.get(page?.href ?? '')).text();
    expect(cards(both)['Unique visitors']).toBe('1');
    const chip = /<a class="chip" href="([^"]+)" title="Remove this filter">Countries/.exec(both)?.[1]?.replaceAll('&amp;', '&');
    expect(chip).toBe('/site/1?period=today&f=page%3A%2Fsignup');
    // The raw event list shows only the events that match.
    expect(both.match(/<td class="wrap">https:\/\/example.com\/signup<\/td>/g)).toHaveLength(1);
    expect(both).not.toContain('<td class="wrap">https://example.com/pricing</td>');
  });

  it.each([
    ['/site/1?period=forever', 'There is no period &quot;forever&quot;'],
    ['/site/1?period=custom&from=2026-02-30&to=2026-03-01', 'A custom period needs from and to dates'],
    ['/site/1?period=custom&from=2026-03-02&to=2026-03-01', 'must end on or after its first day'],
    ['/site/1?period=custom&from=2020-01-01&to=2026-03-01', 'at most two years'],
    ['/site/1?f=ip:1.2.3.4', 'There is no filter &quot;ip&quot;'],
    ['/site/1?f=nonsense', 'There is no filter &quot;nonsense&quot;'],
    ['/site/1?f=source:%00', 'A filter value cannot hold control characters.'],
    ['/site/1?period=custom&from=1970-01-01&to=2999-12-31', 'at most two years'],
  ])('answers %s with 400 and the reason', async (path, message) => {
    const { browser } = await owner();
    const res = await browser.get(path);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(message);
  });

  it('exports a breakdown and the raw events as CSV, for the period and filters', async () => {
    const { server, browser } = await owner();
    await someVisits();
    const pages = await browser.get('/site/1/export/page.csv?period=today');
    expect(pages.status).toBe(200);
    expect(pages.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(pages.headers.get('content-disposition')).toMatch(
      /^attachment; filename="example.com-page-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d.csv"$/,
    );
    expect((await pages.text()).split('\r\n')).toEqual([
      '"page","visitors","visits","pageviews","bounces","visit_duration_ms","events","engaged_ms"',
      '"/pricing","2","2","2","0","0","0","42000"',
      '"/signup","1","1","1","0","0","0","0"',
      '',
    ]);
    const events = await (await browser.get('/site/1/export/events.csv?period=today&f=country:US')).text();
    const lines = events.trim().split('\r\n');
    expect(lines[0]).toBe(
      'time_utc,event,url,referrer,props,engaged_ms,source,utm_source,utm_medium,utm_campaign,utm_term,utm_content,country,region,city,browser,browser_version,os,device,ip'
        .split(',')
        .map((name) => `"${name}"`)
        .join(','),
    );
    expect(lines.slice(1).map((line) => line.split(',')[1])).toEqual(['"pageview"']);
    expect((await browser.get('/site/1/export/secrets.csv')).status).toBe(404);
    // Another account cannot export it; nor can anyone without one.
    const other = new TestBrowser(server);
    await other.register('other@example.com');
    expect((await other.get('/site/1/export/page.csv')).status).toBe(404);
    expect((await new TestBrowser(server).get('/site/1/export/page.csv')).status).toBe(303);
  });

  it('ends a visit at local midnight: a visitor on both sides counts on each day', async () => {
    const { browser } = await owner();
    await insertEvent(store().db, event(9, Date.parse('2026-11-20T23:50:00Z')));
    await insertEvent(store().db, event(9, Date.parse('2026-11-21T00:10:00Z')));
    await runEngine(store());
    const html = await (await browser.get('/site/1?period=custom&from=2026-11-20&to=2026-11-21')).text();
    expect(cards(html)).toMatchObject({ 'Unique visitors': '2', Visits: '2', 'Page views': '2', 'Bounce rate': '100%' });
  });

  it('cuts days in the site’s time zone, and re-cuts them when it changes', async () => {
    const { browser } = await owner();
    // 23:30 UTC on one day is 00:30 of the next in Berlin.
    const late = Date.parse('2026-11-20T23:30:00Z');
    await insertEvent(store().db, event(7, late));
    await runEngine(store());
    const day = (date: string) => `/site/1?period=custom&from=${date}&to=${date}`;
    expect(cards(await (await browser.get(day('2026-11-20'))).text())['Page views']).toBe('1');
    const saved = await browser.post('/site/1/settings', { base_url: 'https://example.com', name: 'Example', timezone: 'Europe/Berlin' });
    expect(saved.status).toBe(303);
    // The engine folds the site's events again in the new zone.
    await runEngine(store());
    expect(localDay(late, 'Europe/Berlin')).toBe('2026-11-21');
    expect(cards(await (await browser.get(day('2026-11-21'))).text())['Page views']).toBe('1');
    expect(cards(await (await browser.get(day('2026-11-20'))).text())['Page views']).toBe('0');
    const bad = await browser.post('/site/1/settings', { base_url: 'https://example.com', name: 'Example', timezone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Choose a time zone from the list.');
  });
});
