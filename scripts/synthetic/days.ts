// One site's events of one day: visitors, their visits, and the page views,
// custom events and engagement of each visit, in the order the generator
// draws them (the same options give the same rows).
import type { Source } from '../../collector/source.js';
import { EVENT_COLUMNS } from '../../core/db/schema.js';
import { DAY_MS, HOUR_MS } from '../../core/time.js';
import { type Random, sum, zipfIndex } from './random.js';
import { CUSTOM, NO_SOURCE, PAGE_COUNTS, type SiteModel } from './sites.js';
import { COUNTRIES, NOWHERE, PLACES, type Place, PROFILES, type Profile } from './visitors.js';
import type { Row, Value } from './writer.js';

type Column = (typeof EVENT_COLUMNS)[number];

const MINUTE_MS = 60_000;

/** The share of a day's traffic (by the hourly curve) that falls before `end`. */
export function hoursBefore(utcHours: readonly number[], dayStart: number, end: number): number {
  let before = 0;
  utcHours.forEach((weight, hour) => {
    const from = dayStart + hour * HOUR_MS;
    before += weight * Math.min(1, Math.max(0, (end - from) / HOUR_MS));
  });
  return before / sum(utcHours);
}

/** A visitor of one day: one id, one browser, one place, in each of their events. */
interface Visitor {
  readonly id: number;
  readonly profile: Profile;
  readonly country: string | null;
  readonly place: Place;
  readonly ip: string;
}

/** What the events of one page view share. */
interface PageView {
  readonly url: string;
  readonly referrer: string | null;
  readonly source: Source;
}

/** One site's rows of one day: no more than its budget, and none at or after `end`. */
class DayRows {
  made = 0;

  constructor(
    private readonly siteId: number,
    private readonly end: number,
    private readonly budget: number,
    private readonly out: Row[],
  ) {}

  get full(): boolean {
    return this.made >= this.budget;
  }

  push(visitor: Visitor, page: PageView, ts: number, name: string, props: string | null, engaged: number | null): void {
    if (ts >= this.end || this.full) return;
    const { profile, place } = visitor;
    const from = page.source;
    const event: Record<Column, Value> = {
      site_id: this.siteId,
      ts,
      name,
      url: page.url,
      referrer: page.referrer,
      props,
      engaged_ms: engaged,
      browser: profile.browser,
      browser_version: profile.browserVersion,
      os: profile.os,
      device: profile.device,
      country: visitor.country,
      region: place.region,
      city: place.city,
      source: from.source,
      utm_source: from.utm_source,
      utm_medium: from.utm_medium,
      utm_campaign: from.utm_campaign,
      utm_term: from.utm_term,
      utm_content: from.utm_content,
      visitor_id: visitor.id,
      ip: visitor.ip,
    };
    this.out.push(EVENT_COLUMNS.map((column) => event[column]));
    this.made++;
  }
}

/** Makes one site's events of one day, exactly `budget` of them, into `out`; returns how many. */
export function daysEvents(
  random: Random,
  model: SiteModel,
  dayStart: number,
  end: number,
  budget: number,
  cities: boolean,
  out: Row[],
): number {
  const available = weightBefore(model, dayStart, end);
  const rows = new DayRows(model.site.id, end, budget, out);
  while (!rows.full) {
    const visitor = newVisitor(random, cities);
    const visits = random.next() < 0.1 ? (random.next() < 0.2 ? 3 : 2) : 1;
    let t = visitStart(random, model, dayStart, end, available);
    for (let v = 0; v < visits && !rows.full; v++) {
      if (v > 0) {
        // A later visit the same day, after a break of 40 minutes to a few hours.
        t += (40 + random.int(0, 300)) * MINUTE_MS;
        if (t >= end || t >= dayStart + DAY_MS) break;
      }
      t = visit(random, model, visitor, t, rows);
    }
  }
  return rows.made;
}

/** The weight of the day's hours (by the hourly curve) before `end`. */
function weightBefore(model: SiteModel, dayStart: number, end: number): number {
  let available = 0;
  for (let hour = 0; hour < 24; hour++) {
    available += (model.utcHours[hour] ?? 0) * Math.min(1, Math.max(0, (end - dayStart - hour * HOUR_MS) / HOUR_MS));
  }
  return available;
}

function newVisitor(random: Random, cities: boolean): Visitor {
  const id = random.id48();
  const profile = PROFILES.pick(random);
  const country = COUNTRIES.pick(random);
  const place = cities && country !== null ? (PLACES.get(country)?.pick(random) ?? NOWHERE) : NOWHERE;
  const ip = `${random.int(1, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.0`;
  return { id, profile, country, place, ip };
}

/** A visit's first instant on this day, by the hourly curve, before `end`. */
function visitStart(random: Random, model: SiteModel, dayStart: number, end: number, available: number): number {
  let u = random.next() * available;
  for (let hour = 0; hour < 24; hour++) {
    const from = dayStart + hour * HOUR_MS;
    const part = Math.min(1, Math.max(0, (end - from) / HOUR_MS));
    const weight = (model.utcHours[hour] ?? 0) * part;
    if (u < weight) return from + Math.floor((u / weight) * part * HOUR_MS);
    u -= weight;
  }
  return Math.min(end - 1, dayStart + DAY_MS - 1);
}

/** Where a visit came from: ~40% direct, most of the rest a referrer, a few campaigns. */
function visitEntry(random: Random, model: SiteModel): { query: string; referrer: string | null; source: Source } {
  const kind = random.next();
  if (kind >= 0.4 && kind < 0.93) {
    const { referrer, source } = model.referrers.pick(random);
    return { query: '', referrer, source };
  }
  if (kind >= 0.93) return model.campaigns.pick(random);
  return { query: '', referrer: null, source: NO_SOURCE };
}

/** One visit's events from `start`; returns the instant after its last page. */
function visit(random: Random, model: SiteModel, visitor: Visitor, start: number, rows: DayRows): number {
  const entry = visitEntry(random, model);
  const pages = PAGE_COUNTS.pick(random);
  const customAt = random.next() < 0.05 ? random.int(0, pages - 1) : -1;
  let t = start;
  let previous: string | null = null;
  for (let p = 0; p < pages; p++) {
    const url = (model.urls[zipfIndex(random, model.urls.length)] ?? '/') + (p === 0 ? entry.query : '');
    const page: PageView = { url, referrer: p === 0 ? entry.referrer : previous, source: p === 0 ? entry.source : NO_SOURCE };
    rows.push(visitor, page, t, 'pageview', null, null);
    // Time on the page: a minute or so, from seconds to a quarter of an hour.
    const dwell = Math.round(Math.min(15 * MINUTE_MS, Math.max(2000, Math.exp(Math.log(50_000) + random.normal()))));
    if (p === customAt) {
      const custom = CUSTOM.pick(random);
      const props = custom.props[random.int(0, custom.props.length - 1)] ?? null;
      rows.push(visitor, page, t + Math.floor(dwell / 2), custom.name, props, null);
    }
    if (random.next() < 0.65) {
      rows.push(visitor, page, t + dwell, 'engagement', null, Math.round(dwell * (0.4 + 0.6 * random.next())));
    }
    previous = url;
    t += dwell + random.int(300, 5000);
  }
  return t;
}
