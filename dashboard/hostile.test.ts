// Random and hostile report URLs and API requests: none may get a 5xx.
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
const query = fc
  .array(fc.tuple(fc.constantFrom('period', 'from', 'to', 'f', 'before', 'limit', 'cursor', 'timezone', 'x', 'f'), text), { maxLength: 6 })
  .map((pairs) => `?${new URLSearchParams(pairs).toString()}`);
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

describe.each(dialects)('hostile report requests on %s', (dialect) => {
  const store = useTestStore(dialect);

  it('never answer 5xx', async () => {
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
    await fc.assert(
      fc.asyncProperty(fc.boolean(), pagePath, apiPath, query, async (api, page, endpoint, q) => {
        const res = api
          ? await server.request(`http://localhost:8787${endpoint}${q}`, { headers: { authorization: `Bearer ${KEY}` } })
          : await browser.get(`${page}${q}`);
        expect(res.status, `${api ? endpoint : page}${q}`).toBeLessThan(500);
        await res.arrayBuffer();
      }),
      { numRuns: runs },
    );
  }, 120_000);
});
