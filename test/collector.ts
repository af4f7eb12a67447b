// What the collector's app tests share: requests as clients send them, and
// the collector on a fresh test store of each dialect.
import { createCollectorApp } from '../collector/app.js';
import { loadTracker } from '../collector/tracker.js';
import type { Dialect } from '../core/db/dialect.js';
import { IngestStats } from '../core/stats.js';
import { CHROME, testIngest } from './ingest.js';
import { addSite, useTestStore } from './store.js';

/** The built tracker, as the collector serves it. */
export const tracker = loadTracker();
export const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1';
export const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
/** The form body curl sends to the visit form route. */
export const CURL_VISIT = 'event=BashVisit&browser=cURL&url=/&ip_address=1.2.3.4&date=2013-11-09';
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
// 8.8.8.8 is in the bundled country database (US); node-server reports
// IPv4 peers IPv4-mapped.
export const nodeEnv = (remoteAddress = '::ffff:8.8.8.8') => ({ incoming: { socket: { remoteAddress } } });
export const beacon = {
  s: 1,
  u: 'https://example.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=launch',
  r: 'https://news.example/item',
};

/** A POST as sendBeacon makes it, from a person's browser unless told. */
export function post(body: string, headers: Record<string, string> = {}) {
  return { method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME, ...headers } };
}

/** Gives each test in the enclosing `describe` a fresh store, and the collector app on it once `setup` is called. */
export function useCollector(dialect: Dialect) {
  const store = useTestStore(dialect);

  async function setup(env: Record<string, string> = {}, site: Parameters<typeof addSite>[1] = {}) {
    const { db } = store();
    await addSite(db, site);
    const stats = new IngestStats();
    const ingest = testIngest(store(), env);
    return { db, stats, ingest, app: createCollectorApp({ ingest, tracker, stats }) };
  }

  const events = () => store().db.selectFrom('events').selectAll().orderBy('id').execute();
  return { store, setup, events };
}
