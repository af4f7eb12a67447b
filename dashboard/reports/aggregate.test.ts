import { describe, expect, it } from 'vitest';
import type { ReportEvent } from '../../core/db/report-events.js';
import type { BreakdownRow } from '../../core/db/rollup-sums.js';
import { sumDay } from './aggregate.js';
import { pagePath } from './visit-fold.js';

const T0 = Date.parse('2026-11-26T00:00:00Z');
const MIN = 60_000;
let nextId = 1;

/** An event with only what a case cares about. */
function ev(visitor: number, minute: number, name = 'pageview', fields: Partial<ReportEvent> = {}): ReportEvent {
  return {
    id: nextId++,
    ts: T0 + minute * MIN,
    name,
    url: 'https://example.com/',
    visitor_id: visitor,
    engaged_ms: null,
    props: null,
    source: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    utm_term: null,
    utm_content: null,
    country: null,
    region: null,
    city: null,
    browser: null,
    browser_version: null,
    os: null,
    device: null,
    ...fields,
  };
}
const page = (visitor: number, minute: number, path: string, fields: Partial<ReportEvent> = {}) =>
  ev(visitor, minute, 'pageview', { url: `https://example.com${path}`, ...fields });
const engaged = (visitor: number, minute: number, path: string, ms: number) =>
  ev(visitor, minute, 'engagement', { url: `https://example.com${path}`, engaged_ms: ms });
const rowsOf = (rows: BreakdownRow[], dimension: string) =>
  rows
    .filter((row) => row.dimension === dimension)
    .map(({ dimension: _, ...rest }) => rest)
    .sort((a, b) => a.value.localeCompare(b.value));

describe('report definitions', () => {
  it.each([
    ['30 minutes apart: one visit', [0, 30], 1],
    ['30 minutes and a millisecond apart: two visits', [0, 30 + 1 / MIN], 2],
    ['three views, each within 30 minutes of the last: one visit', [0, 25, 50], 1],
    ['three views with a long pause: two visits', [0, 10, 45], 2],
  ])('%s', (_label, minutes, visits) => {
    const day = sumDay(
      minutes.map((minute) => page(1, minute, '/')),
      T0,
    );
    expect(day.totals.visits).toBe(visits);
    expect(day.totals.visitors).toBe(1);
  });

  it('counts a bounce only for one page view without a custom event', () => {
    const day = sumDay(
      [
        page(1, 0, '/a'), // bounce
        page(2, 0, '/a'),
        ev(2, 1, 'Signup'), // not a bounce: a custom event
        page(3, 0, '/a'),
        page(3, 5, '/b'), // not a bounce: two views
        page(4, 0, '/a'),
        engaged(4, 3, '/a', 5000), // still a bounce: engagement is no interaction
        ev(5, 0, 'BashVisit', { url: '/' }), // no page view: a visit, not a bounce
      ],
      T0,
    );
    expect(day.totals).toEqual({ visitors: 5, visits: 5, pageviews: 5, bounces: 2, duration_ms: 5000, events: 2 });
  });

  it('measures visit duration and time on page from engaged time, per page and for exit pages', () => {
    const day = sumDay(
      [
        page(1, 0, '/a'),
        engaged(1, 2, '/a', 2000),
        page(1, 3, '/b'),
        engaged(1, 9, '/b', 6000),
        page(2, 0, '/b'),
        engaged(2, 1, '/b', 1000),
      ],
      T0,
    );
    expect(day.totals.duration_ms).toBe(9000);
    expect(rowsOf(day.rows, 'page')).toEqual([
      { value: '/a', visitors: 1, visits: 1, pageviews: 1, bounces: 0, duration_ms: 0, events: 0, engaged_ms: 2000 },
      { value: '/b', visitors: 2, visits: 2, pageviews: 2, bounces: 0, duration_ms: 0, events: 0, engaged_ms: 7000 },
    ]);
    expect(rowsOf(day.rows, 'entry_page').map((r) => [r.value, r.visits, r.bounces])).toEqual([
      ['/a', 1, 0],
      ['/b', 1, 1],
    ]);
    expect(rowsOf(day.rows, 'exit_page').map((r) => [r.value, r.visits, r.engaged_ms])).toEqual([['/b', 2, 7000]]);
  });

  it('takes a visit’s source, campaign, place and browser from its first event', () => {
    const day = sumDay(
      [
        page(1, 0, '/', { source: 'news.example', utm_campaign: 'launch', country: 'DE', browser: 'Firefox', browser_version: '145' }),
        page(1, 1, '/b', { source: null, country: 'DE', browser: 'Firefox', browser_version: '145' }),
        page(2, 0, '/', { source: null, country: null, browser: 'Chrome', browser_version: null }),
      ],
      T0,
    );
    expect(rowsOf(day.rows, 'source').map((r) => [r.value, r.visits, r.pageviews])).toEqual([
      ['', 1, 1],
      ['news.example', 1, 2],
    ]);
    // No "(none)" row for campaigns: most visits have none.
    expect(rowsOf(day.rows, 'utm_campaign').map((r) => r.value)).toEqual(['launch']);
    expect(rowsOf(day.rows, 'country').map((r) => [r.value, r.visitors])).toEqual([
      ['', 1],
      ['DE', 1],
    ]);
    expect(rowsOf(day.rows, 'browser_version').map((r) => r.value)).toEqual(['Chrome', 'Firefox 145']);
  });

  it('counts custom events with their unique visitors, and their properties', () => {
    const day = sumDay(
      [
        page(1, 0, '/'),
        ev(1, 1, 'Signup', { props: '{"plan":"pro"}' }),
        ev(1, 2, 'Signup', { props: '{"plan":"free"}' }),
        page(2, 0, '/'),
        ev(2, 1, 'Signup', { props: '{"plan":"pro"}' }),
      ],
      T0,
    );
    expect(rowsOf(day.rows, 'event').map((r) => [r.value, r.visitors, r.events])).toEqual([['Signup', 2, 3]]);
    expect(rowsOf(day.rows, 'prop').map((r) => [JSON.parse(r.value), r.visitors, r.events])).toEqual([
      [['Signup', 'plan', 'free'], 1, 1],
      [['Signup', 'plan', 'pro'], 2, 2],
    ]);
  });

  it('counts visitors and page views per hour of the local day', () => {
    // A zone half an hour off UTC: the hours start at :30 UTC.
    const start = T0 - 30 * MIN;
    const day = sumDay([page(1, 0, '/'), page(1, 20, '/'), page(1, 40, '/'), page(2, 45, '/')], start);
    expect(day.hours).toEqual([
      { hour: start, visitors: 1, pageviews: 2 },
      { hour: start + 60 * MIN, visitors: 2, pageviews: 2 },
    ]);
  });

  it('filters whole visits: by their attributes, by a page they saw, by an event they sent', () => {
    const events = [
      page(1, 0, '/a', { source: 'search.example' }),
      page(1, 1, '/b'),
      page(2, 0, '/b', { source: 'news.example' }),
      ev(2, 1, 'Signup'),
      page(3, 0, '/c', { source: 'search.example' }),
    ];
    expect(sumDay(events, T0, [{ dimension: 'source', value: 'search.example' }]).totals).toMatchObject({ visits: 2, pageviews: 3 });
    expect(sumDay(events, T0, [{ dimension: 'page', value: '/b' }]).totals).toMatchObject({ visits: 2, pageviews: 3 });
    expect(
      sumDay(events, T0, [
        { dimension: 'page', value: '/b' },
        { dimension: 'source', value: 'search.example' },
      ]).totals,
    ).toMatchObject({ visitors: 1, visits: 1, pageviews: 2 });
    expect(sumDay(events, T0, [{ dimension: 'event', value: 'Signup' }]).totals).toMatchObject({ visitors: 1, events: 1 });
    expect(sumDay(events, T0, [{ dimension: 'entry_page', value: '/c' }]).totals.visits).toBe(1);
    expect(sumDay(events, T0, [{ dimension: 'exit_page', value: '/b' }]).totals.visits).toBe(2);
  });

  it.each([
    ['https://example.com/docs/?q=1#top', '/docs/'],
    ['/', '/'],
    ['/pricing?plan=pro', '/pricing'],
    ['/a#b', '/a'],
  ])('lists %s as the page %s', (url, path) => {
    expect(pagePath(url)).toBe(path);
  });
});

describe('engaged time', () => {
  it('belongs to the visit that viewed the page, however long the page was read, and starts no visit', () => {
    const day = sumDay(
      [page(1, 0, '/long-read'), engaged(1, 45, '/long-read', 45 * MIN), page(1, 50, '/next'), engaged(2, 5, '/orphan', 9000)],
      T0,
    );
    expect(day.totals).toMatchObject({ visitors: 1, visits: 1, pageviews: 2, bounces: 0, duration_ms: 45 * MIN });
    expect(rowsOf(day.rows, 'page').map((r) => [r.value, r.engaged_ms])).toEqual([
      ['/long-read', 45 * MIN],
      ['/next', 0],
    ]);
    expect(sumDay([page(1, 0, '/a'), engaged(1, 1, '/b', 1000)], T0, [{ dimension: 'page', value: '/b' }]).totals.visits).toBe(0);
  });
});
