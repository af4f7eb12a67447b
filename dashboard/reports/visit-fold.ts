/**
 * How one visitor's events of one local day fold into visits: the
 * definition of a visit (see aggregate.ts for the others).
 */
import type { ReportEvent } from '../../core/db/report-events.js';
import type { VisitAttributes } from '../../core/db/schema.js';
import type { VisitState } from '../../core/db/visits.js';
import { ENGAGEMENT, PAGEVIEW } from '../../core/event-names.js';
import { HOUR_MS } from '../../core/time.js';

/** The longest quiet gap inside one visit. */
export const VISIT_GAP_MS = 30 * 60_000;

/** A page's path, as the page breakdowns list it: no origin, query or fragment. */
export function pagePath(url: string): string {
  if (url.startsWith('http://') || url.startsWith('https://')) {
    try {
      return new URL(url).pathname;
    } catch {
      return url;
    }
  }
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/** The key that tells a visitor's visits from others' within one day. */
export function visitorKey(event: Pick<ReportEvent, 'id' | 'visitor_id'>): string {
  return event.visitor_id === null ? `e${event.id}` : `v${event.visitor_id}`;
}

function attributesOf(event: ReportEvent): VisitAttributes {
  const { browser, browser_version } = event;
  return {
    source: event.source ?? '',
    utm_source: event.utm_source ?? '',
    utm_medium: event.utm_medium ?? '',
    utm_campaign: event.utm_campaign ?? '',
    utm_term: event.utm_term ?? '',
    utm_content: event.utm_content ?? '',
    country: event.country ?? '',
    region: event.region ?? '',
    city: event.city ?? '',
    browser: browser ?? '',
    browser_version: browser === null ? '' : browser_version === null ? browser : `${browser} ${browser_version}`,
    os: event.os ?? '',
    device: event.device ?? '',
  };
}

// A day has far fewer URLs than events, and parsing one costs.
const paths = new Map<string, string>();
function cachedPath(url: string): string {
  let page = paths.get(url);
  if (page === undefined) {
    if (paths.size >= 10_000) paths.clear();
    page = pagePath(url);
    paths.set(url, page);
  }
  return page;
}

/**
 * Folds one visitor's events of one local day into that visitor's visits
 * of the day, in place: the definition of a visit. `events` are sorted by
 * time, then id, and come after every event already folded into `visits`.
 * Returns the visits it changed or started.
 */
export function foldVisits(visits: VisitState[], events: readonly ReportEvent[], dayStart: number): Set<VisitState> {
  const changed = new Set<VisitState>();
  let current = visits.at(-1);
  for (const event of events) {
    // Engaged time is reported when a page is left or hidden, however long
    // it was read: it belongs to the visit that viewed the page, and starts
    // none. Without one (the page was opened before midnight) it is dropped.
    const engagement = event.name === ENGAGEMENT;
    if (engagement && current === undefined) continue;
    if (current === undefined || (!engagement && event.ts - current.end > VISIT_GAP_MS)) {
      current = newVisit(event);
      visits.push(current);
    }
    changed.add(current);
    current.end = event.ts;
    const page = cachedPath(event.url);
    // Hours count from the local midnight: in zones half an hour off UTC too.
    const hour = dayStart + Math.floor((event.ts - dayStart) / HOUR_MS) * HOUR_MS;
    const pageviewsInHour = current.hours.get(hour) ?? 0;
    if (event.name === PAGEVIEW) {
      current.lastView = event.ts;
      current.hours.set(hour, pageviewsInHour + 1);
      current.pageviews++;
      current.entry ??= page;
      current.exit = page;
      const seen = current.pages.get(page) ?? { views: 0, engaged: 0 };
      seen.views++;
      current.pages.set(page, seen);
      continue;
    }
    current.hours.set(hour, pageviewsInHour);
    if (engagement) {
      const engaged = Math.max(0, event.engaged_ms ?? 0);
      current.duration += engaged;
      const seen = current.pages.get(page) ?? { views: 0, engaged: 0 };
      seen.engaged += engaged;
      current.pages.set(page, seen);
      continue;
    }
    current.custom++;
    current.named.set(event.name, (current.named.get(event.name) ?? 0) + 1);
    if (event.props === null) continue;
    for (const [key, value] of Object.entries(parseProps(event.props))) {
      const prop = JSON.stringify([event.name, key, value]);
      current.props.set(prop, (current.props.get(prop) ?? 0) + 1);
    }
  }
  return changed;
}

/** A visit that `event` starts, before the event is folded into it. */
function newVisit(event: ReportEvent): VisitState {
  return {
    visitor: visitorKey(event),
    start: event.ts,
    end: event.ts,
    lastView: undefined,
    attributes: attributesOf(event),
    pageviews: 0,
    custom: 0,
    duration: 0,
    entry: undefined,
    exit: undefined,
    pages: new Map(),
    named: new Map(),
    props: new Map(),
    hours: new Map(),
  };
}

function parseProps(text: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const props: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) props[key] = String(value);
    return props;
  } catch {
    return {};
  }
}
