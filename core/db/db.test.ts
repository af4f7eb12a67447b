import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { dialects, useTestStore } from '../../test/store.js';
import { insertUser } from './accounts.js';
import { migrate } from './connect.js';
import { pushEventValues } from './event-batch.js';
import { insertEvent, listEvents } from './events.js';
import { migrations } from './migrations/index.js';
import { EVENT_COLUMNS, type NewEvent } from './schema.js';
import { findSite, insertSite, listSites } from './sites.js';

describe('pushEventValues', () => {
  it('gives every column in EVENT_COLUMNS order, null for those a row leaves out', () => {
    const full = Object.fromEntries(EVENT_COLUMNS.map((column, i) => [column, `${column}-${i}`])) as unknown as NewEvent;
    const sparse: NewEvent = { site_id: 7, ts: 8, name: 'pageview', url: 'https://example.com/' };
    for (const row of [full, sparse]) {
      const values: unknown[] = ['before'];
      pushEventValues(values, row);
      expect(values).toEqual(['before', ...EVENT_COLUMNS.map((column) => row[column] ?? null)]);
    }
  });
});

describe('migrations', () => {
  it('are date-prefixed and listed in date order', () => {
    const names = Object.keys(migrations);
    for (const name of names) expect(name).toMatch(/^\d{4}-\d{2}-\d{2}-[a-z0-9-]+$/);
    expect(names).toEqual([...names].sort());
  });
});

describe.each(dialects)('store on %s', (dialect) => {
  const store = useTestStore(dialect);
  const site = { base_url: 'https://example.com', domain: 'example.com', name: 'Example', created_at: 1_700_000_000_000 };

  it('migrates a second time without change', async () => {
    await migrate(store().db);
    const applied = await store()
      .db.selectFrom('kysely_migration' as never)
      .selectAll()
      .execute();
    expect(applied).toHaveLength(Object.keys(migrations).length);
  });

  it('stores a site and reads it back with numbers, not strings', async () => {
    const saved = await insertSite(store().db, site);
    expect(saved).toEqual({ id: 1, ...site, allow_any_host: 0, excluded_ips: '', owner_id: null, timezone: 'UTC' });
    expect(await findSite(store().db, saved.id)).toEqual(saved);
    expect(await findSite(store().db, 2)).toBeUndefined();
  });

  it("lists an account's sites with their event counts, and no one else's", async () => {
    const owner = await insertUser(store().db, { email: 'a@example.com', name: '', password_hash: 'x', created_at: 0 });
    const other = await insertUser(store().db, { email: 'b@example.com', name: '', password_hash: 'x', created_at: 0 });
    const a = await insertSite(store().db, { ...site, owner_id: owner?.id });
    const b = await insertSite(store().db, { ...site, base_url: 'https://b.example', domain: 'b.example', owner_id: owner?.id });
    await insertSite(store().db, { ...site, owner_id: other?.id });
    for (let i = 0; i < 3; i++) {
      await insertEvent(store().db, { site_id: a.id, ts: i, name: 'pageview', url: '/', referrer: null, browser: null, ip: null });
    }
    const sites = await listSites(store().db, owner?.id ?? 0);
    expect(sites.map((s) => [s.id, s.events])).toEqual([
      [a.id, 3],
      [b.id, 0],
    ]);
  });

  it('pages events newest first without gaps or repeats, ties broken by id', async () => {
    const { id } = await insertSite(store().db, site);
    const other = await insertSite(store().db, { ...site, domain: 'other.example' });
    // 7 events, several sharing a timestamp, plus noise on another site.
    const times = [5, 3, 3, 9, 3, 1, 9];
    for (const ts of times) {
      await insertEvent(store().db, { site_id: id, ts, name: `at ${ts}`, url: '/', referrer: null, browser: null, ip: null });
    }
    await insertEvent(store().db, { site_id: other.id, ts: 4, name: 'other', url: '/', referrer: null, browser: null, ip: null });

    const seen: Array<[number, number]> = [];
    let page = await listEvents(store().db, id, 3);
    const pages = [page.events.length];
    seen.push(...page.events.map((e): [number, number] => [e.ts, e.id]));
    while (page.next !== undefined) {
      page = await listEvents(store().db, id, 3, page.next);
      pages.push(page.events.length);
      seen.push(...page.events.map((e): [number, number] => [e.ts, e.id]));
    }
    expect(pages).toEqual([3, 3, 1]);
    const expected = [...seen].sort((x, y) => y[0] - x[0] || y[1] - x[1]);
    expect(seen).toEqual(expected);
    expect(seen.map(([ts]) => ts)).toEqual([9, 9, 5, 3, 3, 3, 1]);
    expect(new Set(seen.map(([, eventId]) => eventId)).size).toBe(7);
  });

  it('deletes a site with its events', async () => {
    const { id } = await insertSite(store().db, site);
    await insertEvent(store().db, { site_id: id, ts: 1, name: 'pageview', url: '/', referrer: null, browser: null, ip: null });
    await store().db.deleteFrom('sites').where('id', '=', id).execute();
    expect(await store().db.selectFrom('events').selectAll().execute()).toEqual([]);
  });

  it('refuses an event for a site that does not exist', async () => {
    await expect(
      insertEvent(store().db, { site_id: 77, ts: 1, name: 'pageview', url: '/', referrer: null, browser: null, ip: null }),
    ).rejects.toThrow();
  });
});

describe.skipIf(!dialects.includes('postgres'))('store on postgres, losing a connection', () => {
  const store = useTestStore('postgres');

  it('survives a connection that ends while a transaction holds it, and goes on with a fresh one', async () => {
    const db = store().db;
    const failed = db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
      // Ended from outside while this client sits checked out between queries:
      // the 'error' it emits must not crash the process.
      await sql`select pg_terminate_backend(${rows[0]?.pid})`.execute(db);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sql`select 1`.execute(trx);
    });
    await expect(failed).rejects.toThrow();
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
