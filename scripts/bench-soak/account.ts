// The soak's site and owner, and the catch-up check: the page views the
// JSON API reports against the rows stored.
import { insertApiKey, insertSession, insertUser } from '../../core/db/accounts.js';
import type { Store } from '../../core/db/connect.js';
import { insertSite } from '../../core/db/sites.js';
import { newToken, SESSION_COOKIE, tokenHash } from '../../dashboard/auth.js';
import { CATCH_UP_MS, sleep } from './options.js';

export interface Account {
  siteId: number;
  cookie: string;
  apiKey: string;
}

/** A site and its signed-in owner, made before the server starts, as an owner who signed up and added it would have. */
export async function account(store: Store): Promise<Account> {
  const now = Date.now();
  const user = await insertUser(store.db, { email: 'soak@example.com', name: 'Soak', password_hash: 'none: no login', created_at: now });
  if (user === undefined) throw new Error('bench:soak: the scratch store already has an account');
  const site = await insertSite(store.db, {
    base_url: 'https://example.com',
    domain: 'example.com',
    name: 'Soak',
    timezone: 'UTC',
    owner_id: user.id,
    created_at: now,
  });
  const token = newToken();
  await insertSession(store.db, tokenHash(token), user.id, now);
  // As the account page makes them.
  const apiKey = `sl_${newToken()}`;
  await insertApiKey(store.db, {
    user_id: user.id,
    name: 'soak',
    key_hash: tokenHash(apiKey),
    prefix: apiKey.slice(0, 7),
    created_at: now,
  });
  return { siteId: site.id, cookie: `${SESSION_COOKIE}=${token}`, apiKey };
}

export async function storedCount(store: Store, siteId: number, pageviewsOnly: boolean): Promise<number> {
  let query = store.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('site_id', '=', siteId);
  if (pageviewsOnly) query = query.where('name', '=', 'pageview');
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** The page views the JSON API reports for the last 30 days, which hold every event of the run even across midnight. */
async function reportedPageviews(origin: string, account: Account): Promise<number> {
  const res = await fetch(`${origin}/api/v1/sites/${account.siteId}/stats?period=30d`, {
    headers: { authorization: `Bearer ${account.apiKey}` },
    signal: AbortSignal.timeout(30_000),
  });
  const body: unknown = await res.json();
  const totals = typeof body === 'object' && body !== null && 'totals' in body ? body.totals : undefined;
  const pageviews = typeof totals === 'object' && totals !== null && 'pageviews' in totals ? totals.pageviews : undefined;
  if (res.status !== 200 || typeof pageviews !== 'number') {
    throw new Error(`bench:soak: the stats API answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
  return pageviews;
}

/** Polls until the API's page views equal the rows stored, twice read the same; the seconds it took, or undefined. */
export async function catchUp(label: string, store: Store, origin: string, account: Account): Promise<number | undefined> {
  const stopped = performance.now();
  let last = '';
  let shown = 0;
  for (;;) {
    const stored = await storedCount(store, account.siteId, true);
    const reported = await reportedPageviews(origin, account);
    // Read again: requests wrk left in flight may still be committed after the first count.
    const again = await storedCount(store, account.siteId, true);
    const seconds = (performance.now() - stopped) / 1000;
    last = `report ${reported.toLocaleString('en-US')} page views, database ${again.toLocaleString('en-US')}`;
    if (stored === reported && again === reported) {
      console.log(`${label}: catch-up: exact after ${seconds.toFixed(1)} s (${last})`);
      return seconds;
    }
    // Now and then, so that a slow catch-up shows whether it converges.
    if (seconds - shown >= 10) {
      shown = seconds;
      console.log(`${label}: catch-up: ${seconds.toFixed(0)} s: ${last}`);
    }
    if (performance.now() - stopped > CATCH_UP_MS) {
      console.log(`${label}: catch-up: NOT exact after ${seconds.toFixed(1)} s (${last})`);
      return undefined;
    }
    await sleep(500);
  }
}
