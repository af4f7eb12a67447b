// A filtered report read from the engine's visits (core/db/visit-reports.ts)
// must say what the raw events say (rawReport): every number, every row,
// in order, for every kind of filter and stacks of them, on both stores.

import { describe, expect, it } from 'vitest';
import { fenceEventWrites } from '../../core/db/horizon.js';
import type { NewEvent, Site } from '../../core/db/schema.js';
import { addDays } from '../../core/time.js';
import { addSite, dialects, useTestStore } from '../../test/store.js';
import { DIMENSIONS, type Filter } from './dimensions.js';
import { runEngine } from './engine.js';
import { loadReport, type Period, rawReport } from './report.js';

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

const MIN = 60_000;
const FIRST_DAY = '2026-03-02';
const DAYS = 10;

/**
 * Random traffic over ten days from 2026-03-02 (New York moves its clocks on
 * the 8th): visitors who come back on several days and several times a
 * day, some of them without a visitor id; attributes that differ between
 * a visitor's events and that are missing (null) or empty; page views,
 * engagement (also on pages not viewed in the visit, and first thing after
 * midnight), custom events with properties, a few events stored late.
 */
function randomEvents(seed: number, siteId: number, count: number): NewEvent[] {
  const { next, pick } = random(seed);
  const maybe = <T>(value: T, p = 0.15): T | null | '' => (next() < p ? pick([null, '']) : value);
  const visitors = Array.from({ length: 30 }, (_, i) => ({
    id: i < 3 ? null : 7000 * siteId + i,
    source: pick([null, '', 'search.example', 'news.example', 'social.example']),
    utm_source: pick([null, null, 'letter', '']),
    utm_medium: pick([null, 'email']),
    utm_campaign: pick([null, null, 'spring', 'autumn']),
    utm_term: pick([null, 'shoes']),
    utm_content: pick([null, 'banner', '']),
    country: pick([null, 'DE', 'US', 'FR', 'US']),
    region: pick([null, 'DE-BE', 'US-NY']),
    city: pick([null, 'Berlin', 'New York']),
    browser: pick([null, 'Chrome', 'Firefox', 'Safari', 'Chrome']),
    browser_version: pick([null, '140', '145']),
    os: pick([null, 'Linux', 'iOS']),
    device: pick([null, 'desktop', 'mobile', '']),
  }));
  const paths = ['/', '/pricing', '/docs/a', '/docs/b?x=1', '/blog#top', '/pricing?utm=1', '/x%20y'];
  const events: NewEvent[] = [];
  let ts = Date.parse(`${FIRST_DAY}T00:00:00Z`);
  for (let i = 0; i < count; i++) {
    // Mostly minutes apart, sometimes hours: visits split, days change.
    ts += Math.floor(next() < 0.93 ? next() * 9 * MIN : next() * 4 * 60 * MIN);
    const visitor = pick(visitors);
    const kind = next();
    const name =
      kind < 0.6 ? 'pageview' : kind < 0.82 ? 'engagement' : pick(['Signup', 'Outbound Link', 'Download', 'Signup', 'pageview ']);
    const path = pick(paths);
    const props =
      name === 'Signup'
        ? pick([JSON.stringify({ plan: pick(['free', 'pro']) }), JSON.stringify({ plan: 'pro', seats: 3 }), 'not json', '[1]', null])
        : name === 'Download'
          ? JSON.stringify({ file: pick(['a.pdf', 'b.zip']) })
          : null;
    events.push({
      site_id: siteId,
      // Now and then an event stored late: the engine folds its visitor-day anew.
      ts: next() < 0.02 ? ts - Math.floor(next() * 40 * MIN) : ts,
      name,
      url: next() < 0.8 ? `https://example.com${path}` : path,
      referrer: null,
      visitor_id: visitor.id,
      engaged_ms: name === 'engagement' ? pick([null, -5, Math.floor(next() * 60_000)]) : null,
      props,
      ip: null,
      source: next() < 0.1 ? pick([null, '', 'other.example']) : maybe(visitor.source, 0.05),
      utm_source: maybe(visitor.utm_source),
      utm_medium: maybe(visitor.utm_medium),
      utm_campaign: maybe(visitor.utm_campaign),
      utm_term: maybe(visitor.utm_term),
      utm_content: maybe(visitor.utm_content),
      country: next() < 0.08 ? pick(['FR', null]) : visitor.country,
      region: maybe(visitor.region),
      city: maybe(visitor.city),
      browser: maybe(visitor.browser, 0.05),
      browser_version: maybe(visitor.browser_version),
      os: maybe(visitor.os, 0.05),
      device: next() < 0.05 ? null : visitor.device,
    });
  }
  return events;
}

describe.each(dialects)('filtered reports from the visits on %s', (dialect) => {
  const store = useTestStore(dialect);

  /** Stores events as the collector's writer does: in transactions that hold the writers' fence. */
  async function write(events: NewEvent[]) {
    for (let start = 0; start < events.length; start += 250) {
      await store()
        .db.transaction()
        .execute(async (trx) => {
          await fenceEventWrites(trx);
          await trx
            .insertInto('events')
            .values(events.slice(start, start + 250))
            .execute();
        });
    }
  }

  const periods: Period[] = [
    // Days 6 to 10; the period before is days 1 to 5.
    { name: 'custom', from: addDays(FIRST_DAY, 5), to: addDays(FIRST_DAY, DAYS - 1), granularity: 'day' },
    // One day, by the hour: the day New York moves its clocks.
    { name: 'custom', from: '2026-03-08', to: '2026-03-08', granularity: 'hour' },
    { name: 'custom', from: '2026-02-01', to: '2026-04-30', granularity: 'month' },
  ];

  /** The filters to try: every kind, a few values each (the top ones, none, one that no visit has), and stacks. */
  async function filterCases(site: Site): Promise<Filter[][]> {
    const all = await loadReport(store(), site, periods[2] as Period, [], 10_000);
    const cases: Filter[][] = [];
    for (const dimension of DIMENSIONS) {
      if (dimension === 'prop') continue;
      const values = all.breakdowns[dimension].map((row) => row.value);
      const tried = new Set([values[0] ?? '', values.at(-1) ?? '', '']);
      for (const value of tried) cases.push([{ dimension, value }]);
    }
    cases.push(
      [{ dimension: 'country', value: 'no such value' }],
      [{ dimension: 'event', value: 'pageview' }],
      [{ dimension: 'event', value: 'engagement' }],
      [{ dimension: 'page', value: '/docs/b' }],
      [{ dimension: 'page', value: '/x%20y' }],
      [
        { dimension: 'country', value: 'US' },
        { dimension: 'event', value: 'Signup' },
      ],
      [
        { dimension: 'source', value: '' },
        { dimension: 'page', value: '/pricing' },
      ],
      [
        { dimension: 'browser', value: 'Chrome' },
        { dimension: 'device', value: 'mobile' },
      ],
      [
        { dimension: 'entry_page', value: '/' },
        { dimension: 'exit_page', value: '/pricing' },
      ],
      [
        { dimension: 'browser_version', value: 'Chrome 140' },
        { dimension: 'page', value: '/' },
        { dimension: 'event', value: 'Download' },
      ],
    );
    return cases;
  }

  async function expectSameAsRaw(site: Site, filters: Filter[], period: Period, limit: number) {
    const label = `${site.timezone} ${JSON.stringify(filters)} ${period.from}…${period.to} limit ${limit}`;
    const fromVisits = await loadReport(store(), site, period, filters, limit);
    const fromEvents = await rawReport(store(), site, period, filters, limit);
    expect(fromVisits.totals, label).toEqual(fromEvents.totals);
    expect(fromVisits.previous, label).toEqual(fromEvents.previous);
    expect(fromVisits.series, label).toEqual(fromEvents.series);
    for (const dimension of DIMENSIONS) {
      expect(fromVisits.breakdowns[dimension], `${dimension}: ${label}`).toEqual(fromEvents.breakdowns[dimension]);
    }
    expect(fromVisits).toEqual(fromEvents);
    return fromEvents;
  }

  it.each([
    [1, 'UTC'],
    [2, 'America/New_York'],
    [3, 'Asia/Kolkata'],
  ])(
    'equal the raw events for every kind of filter and stacks of them (seed %i, %s)',
    async (seed, zone) => {
      const site = await addSite(store().db, { timezone: zone });
      await write(randomEvents(seed, site.id, 1800));
      await runEngine(store());
      const cases = await filterCases(site);
      let matched = 0;
      for (const [i, filters] of cases.entries()) {
        // The long period reads 180 days of raw events: a few cases will do.
        for (const period of i % 8 === 0 ? periods : periods.slice(0, 2)) {
          const report = await expectSameAsRaw(site, filters, period, 10_000);
          if (period === periods[0] && report.totals.visits > 0) matched++;
        }
      }
      // Not a comparison of empty reports: most filters match visits.
      expect(matched).toBeGreaterThan(cases.length / 2);
      // A short list cuts ties as the raw report does.
      for (const filters of cases.slice(0, 12)) await expectSameAsRaw(site, filters, periods[0] as Period, 2);
    },
    180_000,
  );

  it('counts a visitor once per day and row, and on each day', async () => {
    const site = await addSite(store().db, { timezone: 'Europe/Berlin' });
    const day = (n: number, hour: number, minute = 0) =>
      Date.parse(`2026-03-0${n}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);
    const event = (visitor: number | null, ts: number, name = 'pageview', url = 'https://example.com/'): NewEvent => ({
      site_id: site.id,
      ts,
      name,
      url,
      visitor_id: visitor,
      country: 'DE',
      device: 'mobile',
      engaged_ms: name === 'engagement' ? 1000 : null,
    });
    // Visitor 1: two visits on the 2nd, one on the 3rd; visitor 2 one visit on the 3rd; an event without an id.
    await write([
      event(1, day(2, 8)),
      event(1, day(2, 8, 5), 'Signup'),
      event(1, day(2, 12)),
      event(1, day(2, 12, 1), 'engagement'),
      event(1, day(3, 9)),
      event(2, day(3, 9, 30)),
      event(null, day(3, 10)),
    ]);
    await runEngine(store());
    const period: Period = { name: 'custom', from: '2026-03-02', to: '2026-03-03', granularity: 'day' };
    const report = await expectSameAsRaw(site, [{ dimension: 'country', value: 'DE' }], period, 10);
    expect(report.totals).toEqual({ visitors: 4, visits: 5, pageviews: 5, bounces: 4, duration_ms: 1000, events: 1 });
    expect(report.breakdowns.device).toEqual([
      {
        dimension: 'device',
        value: 'mobile',
        visitors: 4,
        visits: 5,
        pageviews: 5,
        bounces: 4,
        duration_ms: 1000,
        events: 1,
        engaged_ms: 0,
      },
    ]);
    expect(report.breakdowns.page[0]).toMatchObject({ value: '/', visitors: 4, visits: 5, pageviews: 5, engaged_ms: 1000 });
    const signups = await expectSameAsRaw(site, [{ dimension: 'event', value: 'Signup' }], period, 10);
    expect(signups.totals).toMatchObject({ visitors: 1, visits: 1, pageviews: 1 });
  });

  it('lists only the breakdowns asked for', async () => {
    const site = await addSite(store().db);
    await write(randomEvents(9, site.id, 400));
    await runEngine(store());
    const filters: Filter[] = [{ dimension: 'device', value: 'desktop' }];
    const period = periods[2] as Period;
    const some = await loadReport(store(), site, period, filters, 10, ['country', 'page', 'prop']);
    const raw = await rawReport(store(), site, period, filters, 10);
    expect(some.totals).toEqual(raw.totals);
    for (const dimension of DIMENSIONS) {
      expect(some.breakdowns[dimension]).toEqual(['country', 'page', 'prop'].includes(dimension) ? raw.breakdowns[dimension] : []);
    }
    expect(some.breakdowns.page.length).toBeGreaterThan(0);
  });

  it('keeps each site to its own visits', async () => {
    const a = await addSite(store().db);
    const b = await addSite(store().db, { base_url: 'https://b.example', domain: 'b.example', timezone: 'Asia/Kolkata' });
    await write([...randomEvents(11, a.id, 500), ...randomEvents(12, b.id, 500)]);
    await runEngine(store());
    for (const site of [a, b]) {
      for (const filters of [[{ dimension: 'country', value: 'US' }], [{ dimension: 'page', value: '/' }]] satisfies Filter[][]) {
        await expectSameAsRaw(site, filters, periods[0] as Period, 10_000);
      }
    }
  });
});
