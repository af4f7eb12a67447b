import { type KyselyPlugin, type RootOperationNode, sql, ValuesNode } from 'kysely';
import { describe, expect, it } from 'vitest';
import { EVENT_COLUMNS, type NewEvent } from '../core/db/schema.js';
import { HttpError } from '../core/errors.js';
import { addSite, countRows, dialects, useTestStore } from '../test/store.js';
import { EventWriter, type WriterOptions } from './writer.js';

const event = (n: number, site = 1): NewEvent => ({
  site_id: site,
  ts: n,
  name: 'pageview',
  url: `https://example.com/${n}`,
  referrer: null,
  browser: null,
  ip: null,
});

/** Records how many rows each INSERT into events carries: one entry per statement. */
function insertSizes(): { plugin: KyselyPlugin; sizes: number[] } {
  const sizes: number[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }: { node: RootOperationNode }) => {
      if (node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === 'events' && node.values && ValuesNode.is(node.values)) {
        sizes.push(node.values.values.length);
      }
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return { plugin, sizes };
}

const options = (overrides: Partial<WriterOptions> = {}): WriterOptions => ({
  batchSize: 500,
  batchDelayMs: 20,
  queueLimit: 1000,
  ...overrides,
});

describe.each(dialects)('EventWriter on %s', (dialect) => {
  const store = useTestStore(dialect);

  it('writes events that arrive together in one insert, and acknowledges each only once it is stored', async () => {
    await addSite(store().db);
    const { plugin, sizes } = insertSizes();
    const writer = new EventWriter({ ...store(), db: store().db.withPlugin(plugin), sqlite: undefined }, options());
    const stored: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await writer.write(event(i));
        // Acknowledged: another reader sees it already.
        stored.push(await countRows(store().db, 'events'));
      }),
    );
    expect(sizes).toEqual([50]);
    expect(Math.min(...stored)).toBe(50);
  });

  it('splits a long queue into batches of batchSize', async () => {
    await addSite(store().db);
    const { plugin, sizes } = insertSizes();
    const writer = new EventWriter(
      { ...store(), db: store().db.withPlugin(plugin), sqlite: undefined },
      options({ batchSize: 4, batchDelayMs: 1000 }),
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => writer.write(event(i))));
    // A full batch goes at once, without waiting out the delay.
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('stores every column of every row of a batch as given, in order', async () => {
    await addSite(store().db);
    const writer = new EventWriter(store(), options());
    // 37 rows: SQLite stores them 16, 16 and 5 to a statement.
    const rows = Array.from({ length: 37 }, (_, i): NewEvent => {
      const row: Record<string, unknown> = {};
      for (const column of EVENT_COLUMNS) row[column] = `${column} ${i}`;
      return { ...(row as unknown as NewEvent), site_id: 1, ts: 1000 + i, visitor_id: i * 7, engaged_ms: i % 3 === 0 ? null : i };
    });
    await Promise.all(rows.map((row) => writer.write(row)));
    const stored = await store().db.selectFrom('events').select(EVENT_COLUMNS).orderBy('id').execute();
    expect(stored).toEqual(rows);
  });

  // SQLite batches go through prepared statements of 16 rows at most; only PostgreSQL has the limit.
  it.skipIf(dialect !== 'postgres')('splits a batch larger than one PostgreSQL statement can hold', async () => {
    await addSite(store().db);
    const { plugin, sizes } = insertSizes();
    const writer = new EventWriter(
      { ...store(), db: store().db.withPlugin(plugin) },
      options({ batchSize: 5000, batchDelayMs: 50, queueLimit: 10_000 }),
    );
    await Promise.all(Array.from({ length: 3500 }, (_, i) => writer.write(event(i))));
    // 65,535 parameters over 22 columns: 2,978 rows at most per statement.
    expect(sizes).toEqual([2978, 522]);
    expect(await countRows(store().db, 'events')).toBe(3500);
  });

  it('refuses with 503 and Retry-After when its queue is full', async () => {
    await addSite(store().db);
    const writer = new EventWriter(store(), options({ queueLimit: 2, batchDelayMs: 50 }));
    const results = await Promise.allSettled([writer.write(event(1)), writer.write(event(2)), writer.write(event(3))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    const error = (results[2] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 503, headers: { 'Retry-After': '1' } });
    expect(await countRows(store().db, 'events')).toBe(2);
  });

  it('does not let one bad row sink the rest of its batch', async () => {
    await addSite(store().db);
    const writer = new EventWriter(store(), options());
    // Site 99 does not exist: its row breaks the foreign key.
    const results = await Promise.allSettled([writer.write(event(1)), writer.write(event(2, 99)), writer.write(event(3))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await countRows(store().db, 'events')).toBe(2);
  });

  it('answers 503 while the database fails, loses nothing it acknowledged, and recovers by itself', async () => {
    await addSite(store().db);
    const writer = new EventWriter(store(), options());
    await writer.write(event(1));
    // A real failure: the table is gone for a while.
    await sql`alter table events rename to events_away`.execute(store().db);
    const failed = await Promise.allSettled([writer.write(event(2)), writer.write(event(3))]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toMatchObject({ status: 503 });
    await sql`alter table events_away rename to events`.execute(store().db);
    await writer.write(event(4));
    const urls = (await store().db.selectFrom('events').select('url').orderBy('ts').execute()).map((r) => r.url);
    expect(urls).toEqual(['https://example.com/1', 'https://example.com/4']);
  });

  it('keeps filtered-hit counts through a failure and writes them once the database is back', async () => {
    await addSite(store().db);
    const writer = new EventWriter(store(), options());
    await sql`alter table filtered_hits rename to filtered_hits_away`.execute(store().db);
    writer.countFiltered(1, 'bot', Date.UTC(2026, 10, 26));
    await new Promise((resolve) => setTimeout(resolve, 50)); // its batch fails meanwhile
    await sql`alter table filtered_hits_away rename to filtered_hits`.execute(store().db);
    await writer.write(event(1));
    expect(await store().db.selectFrom('filtered_hits').select(['reason', 'hits']).execute()).toEqual([{ reason: 'bot', hits: 1 }]);
  });

  it('writes what waits when closed, then refuses new events', async () => {
    await addSite(store().db);
    const writer = new EventWriter(store(), options({ batchDelayMs: 60_000 }));
    const pending = Promise.all([writer.write(event(1)), writer.write(event(2))]);
    writer.countFiltered(1, 'bot', Date.UTC(2026, 10, 26));
    await writer.close();
    await pending;
    expect(await countRows(store().db, 'events')).toBe(2);
    expect(await store().db.selectFrom('filtered_hits').selectAll().execute()).toEqual([
      { site_id: 1, day: '2026-11-26', reason: 'bot', hits: 1 },
    ]);
    await expect(writer.write(event(3))).rejects.toMatchObject({ status: 503 });
  });

  it('adds filtered hits to the counters already stored', async () => {
    await addSite(store().db);
    const writer = new EventWriter(store(), options());
    const day = Date.UTC(2026, 10, 26, 12);
    for (let i = 0; i < 3; i++) writer.countFiltered(1, 'bot', day);
    writer.countFiltered(1, 'host', day);
    await writer.close();
    const again = new EventWriter(store(), options());
    again.countFiltered(1, 'bot', day);
    again.countFiltered(1, 'bot', day + 24 * 3600 * 1000);
    await again.close();
    const rows = await store().db.selectFrom('filtered_hits').select(['day', 'reason', 'hits']).orderBy('day').orderBy('reason').execute();
    expect(rows).toEqual([
      { day: '2026-11-26', reason: 'bot', hits: 4 },
      { day: '2026-11-26', reason: 'host', hits: 1 },
      { day: '2026-11-27', reason: 'bot', hits: 1 },
    ]);
  });
});
