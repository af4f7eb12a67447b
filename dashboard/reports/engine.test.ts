// The engine's visits and roll-ups must say what the raw events say: for
// every metric and every breakdown, on random data, on both stores, however
// the events arrive and however passes cut them.

import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../core/db/connect.js';
import { migrate } from '../../core/db/connect.js';
import { batchWriter } from '../../core/db/event-batch.js';
import { REPORT_EVENT_COLUMNS, readReportEvents } from '../../core/db/report-events.js';
import { blocksOf, coverDays, halves } from '../../core/db/rollup-blocks.js';
import type { NewEvent, Site } from '../../core/db/schema.js';
import { findSite } from '../../core/db/sites.js';
import { type VisitState, visitRow } from '../../core/db/visits.js';
import { addSite, countRows, createTestStore, dialects, useTestStore } from '../../test/store.js';
import { DIMENSIONS, type Filter, narrowing } from './dimensions.js';
import { runEngine } from './engine.js';
import { loadReport, type Period, rawReport } from './report.js';
import { changeTimezone, sumEndedBlocks } from './rollup-job.js';
import { foldVisits } from './visit-fold.js';

/** Everything folded and every ended block summed, as the engine's loop leaves it. */
async function settle(store: Store, chunk?: number): Promise<void> {
  expect((await runEngine(store, Number.POSITIVE_INFINITY, chunk)).behind).toBe(0);
  await sumEndedBlocks(store);
}

/** A small seeded generator, so that a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

const START = Date.parse('2026-03-06T00:00:00Z'); // the 8th brings New York's switch to summer time
const MIN = 60_000;

/** Random visitors over five days: views, engagement, custom events with props, several of each attribute. */
function randomEvents(seed: number, siteId: number, count: number): NewEvent[] {
  const { next, pick } = random(seed);
  const events: NewEvent[] = [];
  const visitors = Array.from({ length: 40 }, (_, i) => ({
    id: 1000 * siteId + i,
    source: pick([null, null, 'search.example', 'news.example']),
    utm_campaign: pick([null, null, 'spring']),
    country: pick([null, 'DE', 'US', 'FR']),
    city: pick([null, 'Berlin']),
    browser: pick(['Chrome', 'Firefox', 'Safari']),
    browser_version: pick([null, '140', '145']),
    os: pick(['Linux', 'iOS']),
    device: pick(['desktop', 'mobile']),
  }));
  let ts = START;
  for (let i = 0; i < count; i++) {
    // Mostly minutes apart, sometimes hours: visits split, days change.
    ts += Math.floor(next() < 0.95 ? next() * 8 * MIN : next() * 3 * 60 * MIN);
    const visitor = pick(visitors);
    const path = pick(['/', '/pricing', '/docs/a', '/docs/b?x=1', '/blog#top']);
    const kind = next();
    const name = kind < 0.65 ? 'pageview' : kind < 0.85 ? 'engagement' : pick(['Signup', 'Outbound Link', 'Download']);
    events.push({
      site_id: siteId,
      ts,
      name,
      url: `https://example.com${path}`,
      referrer: null,
      visitor_id: visitor.id,
      engaged_ms: name === 'engagement' ? Math.floor(next() * 60_000) : null,
      props: name === 'Signup' ? JSON.stringify({ plan: pick(['free', 'pro']) }) : null,
      ip: null,
      source: visitor.source,
      utm_campaign: visitor.utm_campaign,
      country: visitor.country,
      city: visitor.city,
      browser: visitor.browser,
      browser_version: visitor.browser_version,
      os: visitor.os,
      device: visitor.device,
    });
  }
  return events;
}

describe.each(dialects)('the analytics engine on %s', (dialect) => {
  const store = useTestStore(dialect);

  async function write(events: NewEvent[]) {
    // In batches, through the collector's own batch write.
    const writeBatch = batchWriter(store());
    for (let at = 0; at < events.length; at += 97) await writeBatch(events.slice(at, at + 97), []);
  }

  const periods: Period[] = [
    { name: 'custom', from: '2026-03-05', to: '2026-03-20', granularity: 'day' },
    { name: 'custom', from: '2026-03-08', to: '2026-03-08', granularity: 'hour' },
    { name: 'custom', from: '2026-03-06', to: '2026-03-07', granularity: 'day' },
    { name: 'custom', from: '2026-01-01', to: '2026-12-31', granularity: 'month' },
  ];

  async function expectRollupsEqualRaw(site: Site) {
    for (const period of periods) {
      const fromRollups = await loadReport(store(), site, period, [], 10_000);
      const fromRaw = await rawReport(store(), site, period, [], 10_000);
      expect(fromRollups.totals, `${site.timezone} ${period.from}…${period.to}`).toEqual(fromRaw.totals);
      expect(fromRollups.previous).toEqual(fromRaw.previous);
      expect(fromRollups.series).toEqual(fromRaw.series);
      for (const dimension of DIMENSIONS) {
        expect(fromRollups.breakdowns[dimension], `${dimension} ${period.from}…${period.to}`).toEqual(fromRaw.breakdowns[dimension]);
      }
    }
  }

  it.each([
    [1, 'UTC'],
    [2, 'America/New_York'],
    [3, 'Asia/Kolkata'],
  ])('equal the raw events for every metric and breakdown (seed %i, %s)', async (seed, zone) => {
    await addSite(store().db, { timezone: zone });
    await write(randomEvents(seed, 1, 1500));
    await settle(store());
    expect(await countRows(store().db, 'visits')).toBeGreaterThan(100);
    // The breakdowns below read summed blocks as well as days.
    expect(await countRows(store().db, 'rollup_blocks')).toBeGreaterThan(5);
    const site = (await findSite(store().db, 1)) as Site;
    const report = await loadReport(store(), site, periods[0] as Period, [], 10);
    // Not an empty comparison: the random data reach every breakdown.
    expect(report.totals.pageviews).toBeGreaterThan(800);
    for (const dimension of DIMENSIONS.filter((d) => !['utm_source', 'utm_medium', 'utm_term', 'utm_content', 'region'].includes(d))) {
      expect(report.breakdowns[dimension].length, dimension).toBeGreaterThan(0);
    }
    await expectRollupsEqualRaw(site);

    // Independently of aggregate.ts: page views and daily visitors straight from SQL.
    const [from, to] = [Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z')];
    const raw = await sql<{
      n: number | string;
    }>`select count(*) as n from events where site_id = 1 and name = 'pageview' and ts >= ${from} and ts < ${to}`.execute(store().db);
    const all = await loadReport(store(), site, periods[3] as Period, [], 10);
    expect(all.totals.pageviews).toBe(Number(raw.rows[0]?.n));
  });

  it('follows new events, and a change of time zone, without going stale', async () => {
    await addSite(store().db);
    const events = randomEvents(7, 1, 1200);
    await write(events.slice(0, 600));
    await settle(store());
    const summed = await countRows(store().db, 'rollup_blocks');
    expect(summed).toBeGreaterThan(0);
    await write(events.slice(600));
    // Only the folding, no block sums: the blocks that hold a changed day are no longer read.
    await runEngine(store());
    expect(await countRows(store().db, 'rollup_blocks')).toBeLessThan(summed);
    await expectRollupsEqualRaw((await findSite(store().db, 1)) as Site);
    await settle(store());
    await expectRollupsEqualRaw((await findSite(store().db, 1)) as Site);
    await changeTimezone(store(), 1, 'Europe/Berlin');
    await settle(store());
    await expectRollupsEqualRaw((await findSite(store().db, 1)) as Site);
  });

  it('reads filtered reports from the visitors who can match, with the numbers that every event gives', async () => {
    await addSite(store().db, { timezone: 'America/New_York' });
    // Some events without a visitor id, each its own visitor, as stored
    // before ids existed. Attributes vary between a visitor's events too
    // (an empty string stored as well as none), so that a value can be on
    // a later event only, or on an engagement event only.
    const sources = [null, '', 'search.example', 'news.example'];
    const events = randomEvents(5, 1, 1500).map((event, i) => ({
      ...event,
      visitor_id: i % 37 === 0 ? null : event.visitor_id,
      source: i % 5 === 0 ? sources[(i / 5) % sources.length] : event.source,
      country: i % 7 === 0 ? 'FR' : event.country,
      device: i % 11 === 0 ? null : event.device,
    }));
    await write(events);
    const site = (await findSite(store().db, 1)) as Site;
    const cases: Filter[][] = [
      [{ dimension: 'source', value: '' }],
      [{ dimension: 'source', value: 'search.example' }],
      [{ dimension: 'country', value: 'DE' }],
      [{ dimension: 'country', value: '' }],
      [{ dimension: 'city', value: 'Berlin' }],
      [{ dimension: 'browser', value: 'Firefox' }],
      [{ dimension: 'os', value: 'iOS' }],
      [{ dimension: 'device', value: 'mobile' }],
      [{ dimension: 'utm_campaign', value: 'spring' }],
      [{ dimension: 'event', value: 'Signup' }],
      [{ dimension: 'event', value: 'pageview' }],
      [{ dimension: 'country', value: 'FR' }],
      [{ dimension: 'device', value: '' }],
      [
        { dimension: 'country', value: 'US' },
        { dimension: 'event', value: 'Download' },
      ],
      [
        { dimension: 'source', value: 'news.example' },
        { dimension: 'page', value: '/docs/a' },
        { dimension: 'device', value: 'desktop' },
      ],
    ];
    for (const filters of cases) {
      for (const period of periods.slice(0, 2)) {
        const narrowed = await rawReport(store(), site, period, filters, 10_000);
        const everyEvent = await rawReport(store(), site, period, filters, 10_000, false);
        expect(narrowed, `${JSON.stringify(filters)} ${period.from}…${period.to}`).toEqual(everyEvent);
      }
    }
    // Filters that cannot be narrowed read every event, as a stack of them
    // narrows by the others only.
    for (const dimension of ['page', 'entry_page', 'exit_page', 'browser_version'] as const) {
      expect(narrowing([{ dimension, value: '/pricing' }])).toEqual([]);
    }
    // Not a comparison of empty reports, and the narrowing reads fewer events.
    const germany: Filter[] = [{ dimension: 'country', value: 'DE' }];
    expect((await rawReport(store(), site, periods[0] as Period, germany, 10)).totals.pageviews).toBeGreaterThan(50);
    const [from, to] = [Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-04-01T00:00:00Z')];
    const all = await readReportEvents(store().db, 1, from, to);
    const some = await readReportEvents(store().db, 1, from, to, narrowing(germany));
    expect(some.length).toBeGreaterThan(0);
    expect(some.length).toBeLessThan(all.length / 2);
  });

  it('keeps each site to its own numbers', async () => {
    await addSite(store().db);
    await addSite(store().db, { base_url: 'https://b.example', domain: 'b.example' });
    await write([...randomEvents(11, 1, 400), ...randomEvents(12, 2, 300)]);
    await settle(store());
    for (const id of [1, 2]) await expectRollupsEqualRaw((await findSite(store().db, id)) as Site);
  });
});

describe.each(dialects)('an install whose engine ran before engine_dropped, on %s', (dialect) => {
  it('has its dropped engagement found by the migration, and taken in by an earlier page view that comes later', async () => {
    const store = await createTestStore(dialect, '2026-12-02-02-visit-indexes');
    try {
      const { db } = store;
      await addSite(db);
      const at = Date.parse('2026-03-06T10:00:00Z');
      const event = (visitor: number, name: string, ts: number): NewEvent => ({
        site_id: 1,
        ts,
        name,
        url: 'https://example.com/a',
        visitor_id: visitor,
        engaged_ms: name === 'engagement' ? 30_000 : null,
      });
      // Visitor 7's engagement came before any page view of theirs: folded and dropped.
      // Visitor 8's followed a page view: folded into a visit.
      for (const e of [event(7, 'engagement', at + 10 * MIN), event(8, 'pageview', at), event(8, 'engagement', at + MIN)]) {
        await db.insertInto('events').values(e).execute();
      }
      const folded = await db.selectFrom('events').select(REPORT_EVENT_COLUMNS).where('visitor_id', '=', 8).orderBy('ts').execute();
      const visits: VisitState[] = [];
      foldVisits(visits, folded, Date.parse('2026-03-06T00:00:00Z'));
      await db
        .insertInto('visits')
        .values(visitRow(1, '2026-03-06', visits[0] as VisitState, true))
        .execute();
      await db.updateTable('engine_state').set({ position: 3 }).where('name', '=', 'events').execute();

      await migrate(db);
      const dropped = await db.selectFrom('engine_dropped').selectAll().execute();
      expect(dropped).toEqual([{ site_id: 1, visitor_id: 7, ts: at + 10 * MIN }]);

      await db
        .insertInto('events')
        .values(event(7, 'pageview', at + 5 * MIN))
        .execute();
      await settle(store);
      const visit = await db.selectFrom('visits').select(['start_ts', 'pageviews', 'duration_ms']).where('visitor', '=', 7).execute();
      expect(visit).toEqual([{ start_ts: at + 5 * MIN, pageviews: 1, duration_ms: 30_000 }]);
    } finally {
      await store.dispose();
    }
  });
});

describe('blocks of days', () => {
  it('names the aligned blocks that hold a day', () => {
    expect(blocksOf('2026-03-20').slice(0, 4)).toEqual([
      { first: '2026-03-20', days: 2 },
      { first: '2026-03-20', days: 4 },
      { first: '2026-03-16', days: 8 },
      { first: '2026-03-16', days: 16 },
    ]);
    expect(blocksOf('2026-03-21')[0]).toEqual({ first: '2026-03-20', days: 2 });
    expect(halves({ first: '2026-03-16', days: 8 })).toEqual([
      { first: '2026-03-16', days: 4 },
      { first: '2026-03-20', days: 4 },
    ]);
  });

  const every = new Set(['2026-03-06+2', '2026-03-08+8', '2026-03-08+4', '2026-03-12+4', '2026-03-16+4', '2026-03-16+8']);
  const allDays = Array.from({ length: 16 }, (_, i) => `2026-03-${String(5 + i).padStart(2, '0')}`);
  it.each([
    ['every block summed', every, ['2026-03-06+2', '2026-03-08+8', '2026-03-16+4'], ['2026-03-05', '2026-03-20']],
    [
      'a long block missing',
      new Set([...every].filter((key) => key !== '2026-03-08+8')),
      ['2026-03-06+2', '2026-03-08+4', '2026-03-12+4', '2026-03-16+4'],
      ['2026-03-05', '2026-03-20'],
    ],
    ['no block summed', new Set<string>(), [], allDays],
  ])('covers 2026-03-05 to 2026-03-20 with %s', (_, summed, blocks, days) => {
    expect(coverDays('2026-03-05', '2026-03-20', summed)).toEqual({ blocks, days });
  });
});

describe.each(dialects)('the analytics engine on random streams on %s', (dialect) => {
  const store = useTestStore(dialect);
  const DAY = Date.parse('2026-03-07T00:00:00Z');
  const PATHS = ['/', '/a', '/b/c'];

  // One arbitrary event: a visitor (or none), a time within a day and a half
  // around the zone's midnights, what it was and where from.
  const eventArb = fc.record({
    visitor: fc.option(fc.integer({ min: 1, max: 6 }), { freq: 8 }),
    minute: fc.integer({ min: -12 * 60, max: 36 * 60 }),
    kind: fc.constantFrom('pageview', 'pageview', 'pageview', 'engagement', 'Signup'),
    path: fc.constantFrom(...PATHS),
    source: fc.constantFrom(null, '', 'news.example'),
    country: fc.constantFrom(null, 'DE', 'FR'),
    order: fc.integer(),
  });

  it.each(['UTC', 'America/New_York', 'Asia/Kolkata'])(
    'equal the reference however late, out of order and cut into passes the events come (%s)',
    async (zone) => {
      const site = await addSite(store().db, { timezone: zone });
      const periods: Period[] = [
        { name: 'custom', from: '2026-03-06', to: '2026-03-08', granularity: 'day' },
        { name: 'custom', from: '2026-03-07', to: '2026-03-07', granularity: 'hour' },
      ];
      const filters: Filter[][] = [[], [{ dimension: 'country', value: 'DE' }], [{ dimension: 'page', value: '/a' }]];
      await fc.assert(
        fc.asyncProperty(
          fc.array(eventArb, { minLength: 1, maxLength: 60 }),
          fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 4 }),
          fc.integer({ min: 1, max: 9 }),
          async (drawn, cuts, chunk) => {
            await wipe(store());
            const events: NewEvent[] = drawn.map((e) => ({
              site_id: site.id,
              ts: DAY + e.minute * 60_000,
              name: e.kind,
              url: `https://example.com${e.path}`,
              referrer: null,
              browser: 'Firefox',
              ip: null,
              visitor_id: e.visitor,
              source: e.source,
              country: e.country,
              engaged_ms: e.kind === 'engagement' ? 1000 : null,
              props: e.kind === 'Signup' ? JSON.stringify({ plan: e.path }) : null,
            }));
            // Arrival order is not time order; passes run between arrivals.
            const arrival = events.map((event, i) => ({ event, order: drawn[i]?.order ?? 0 })).sort((a, b) => a.order - b.order);
            let at = 0;
            let pass = 0;
            for (const cut of [...cuts.sort((a, b) => a - b), arrival.length]) {
              const batch = arrival.slice(at, Math.max(at, cut)).map((a) => a.event);
              at = Math.max(at, cut);
              if (batch.length > 0) await store().db.insertInto('events').values(batch).execute();
              // Every other pass as a new process would run it: remembering nothing, reading all it needs.
              await runEngine(pass++ % 2 === 0 ? store() : { ...store() }, Number.POSITIVE_INFINITY, chunk);
            }
            await settle(store(), chunk);
            for (const period of periods) {
              for (const filter of filters) {
                const fromEngine = await loadReport(store(), site, period, filter, 1000);
                const reference = await rawReport(store(), site, period, filter, 1000);
                expect(fromEngine).toEqual(reference);
              }
            }
          },
        ),
        { numRuns: dialect === 'postgres' ? 15 : 40 },
      );
    },
    120_000,
  );
});

/** Empties the events and everything made of them, and puts the engine back at the start. */
async function wipe(store: Store): Promise<void> {
  for (const table of ['events', 'visits', 'rollup_days', 'rollup_hours', 'rollup_rows', 'rollup_block_rows', 'rollup_blocks'] as const) {
    await store.db.deleteFrom(table).execute();
  }
  await store.db.updateTable('engine_state').set({ position: 0 }).execute();
}
