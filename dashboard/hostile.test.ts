// Random and hostile report URLs and API requests: none may get a 5xx, and
// each gets the answer its parameters call for: 200 for what reads, 400
// for what does not, 404 for what is not there.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { insertApiKey, insertSession, insertShareLink, insertUser } from '../core/db/accounts.js';
import { insertEvent } from '../core/db/events.js';
import { insertSite } from '../core/db/sites.js';
import { testApp } from '../test/app.js';
import { dialects, useTestStore } from '../test/store.js';
import { TestBrowser } from '../test/test-browser.js';
import { newToken, tokenHash } from './auth.js';

const SHARE = newToken();
const KEY = `sl_${newToken()}`;

const nasty = fc.constantFrom(
  '',
  '\u0000',
  '%00',
  '%E0%A4%A',
  '2026-13-45',
  '2026-02-30',
  '0000-01-01',
  '9999-12-31',
  '-1',
  '1e309',
  '9007199254740993',
  'custom',
  'today',
  '12mo',
  'page:/',
  'country:',
  ':',
  'prop:x',
  '<script>alert(1)</script>',
  'x'.repeat(3000),
);
const text = fc.oneof(fc.string({ maxLength: 30 }), nasty);
const query = fc.array(fc.tuple(fc.constantFrom('period', 'from', 'to', 'f', 'before', 'limit', 'cursor', 'timezone', 'x', 'f'), text), {
  maxLength: 6,
});
const pagePath = fc.constantFrom(
  '/site/1',
  '/site/1/export/page.csv',
  '/site/1/export/events.csv',
  `/share/${SHARE}`,
  `/share/${SHARE}/export/x.csv`,
);
const apiPath = fc.constantFrom(
  '/api/v1/sites/1/stats',
  '/api/v1/sites/1/timeseries',
  '/api/v1/sites/1/breakdown/page',
  '/api/v1/sites/1/breakdown/%00',
  '/api/v1/sites/1/events',
  '/api/v1/sites/1/realtime',
  '/api/v1/sites/99999999999999999999',
);

/** The answers a request may get; the API refuses any parameter it does not know. */
function allowed(api: boolean, path: string, pairs: ReadonlyArray<readonly [string, string]>): readonly number[] {
  // The period is read before the export's name: bad parameters are a 400 first.
  if (path.endsWith('/x.csv')) return pairs.length === 0 ? [404] : [400, 404];
  if (path.endsWith('/99999999999999999999') || path.endsWith('/%00')) return [400, 404];
  const unknown = api && pairs.some(([name]) => name === 'x' || name === 'before');
  if (unknown) return [400];
  return pairs.length === 0 ? [200] : [200, 400];
}

describe.each(dialects)('hostile report requests on %s', (dialect) => {
  const store = useTestStore(dialect);

  it('get the answers their parameters call for, never a 5xx, and both reads and refusals', async () => {
    const server = testApp(store());
    await insertUser(store().db, { email: 'o@example.com', name: '', password_hash: 'x', created_at: 0 });
    const session = newToken();
    await insertSession(store().db, tokenHash(session), 1, Date.now());
    await insertSite(store().db, { base_url: 'https://example.com', domain: 'example.com', name: 'E', created_at: 0, owner_id: 1 });
    await insertShareLink(store().db, 1, tokenHash(SHARE), 0);
    await insertApiKey(store().db, { user_id: 1, name: 'k', key_hash: tokenHash(KEY), prefix: 'sl_', created_at: 0 });
    await insertEvent(store().db, {
      site_id: 1,
      ts: Date.now() - 1000,
      name: 'pageview',
      url: 'https://example.com/',
      referrer: null,
      browser: null,
      ip: null,
    });
    const browser = new TestBrowser(server);
    browser.setCookie('sightline_session', session);
    const runs = dialect === 'postgres' ? 150 : 300;
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.boolean(), pagePath, apiPath, query, async (api, page, endpoint, pairs) => {
        const path = api ? endpoint : page;
        const q = `?${new URLSearchParams(pairs.map(([name, value]): [string, string] => [name, value])).toString()}`;
        const res = api
          ? await server.request(`http://localhost:8787${endpoint}${q}`, { headers: { authorization: `Bearer ${KEY}` } })
          : await browser.get(`${page}${q}`);
        expect(allowed(api, path, pairs), `${path}${q}`).toContain(res.status);
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        await res.arrayBuffer();
      }),
      { numRuns: runs },
    );
    // The mix: a suite that refused everything, or read everything, would fail here.
    expect(seen.get(200) ?? 0).toBeGreaterThan(runs / 10);
    expect(seen.get(400) ?? 0).toBeGreaterThan(runs / 10);
    expect(
      [...seen.keys()].every((status) => [200, 400, 404].includes(status)),
      JSON.stringify([...seen]),
    ).toBe(true);
  }, 120_000);
});
