/**
 * What the report page, its exports and the API read alike: the report
 * (with how far the engine is behind), and the raw event list.
 */
import type { Store } from '../../core/db/connect.js';
import { type EventCursor, type EventFilter, listEvents } from '../../core/db/events.js';
import type { Event, Site } from '../../core/db/schema.js';
import { HttpError } from '../../core/errors.js';
import type { Dimension, Filter } from './dimensions.js';
import { CATCHING_UP_EVENTS, engineLag } from './engine.js';
import { loadReport, type Report } from './report.js';
import type { ReportState } from './state.js';
import { pagePath } from './visit-fold.js';

/**
 * A report as the dashboard and the API show it, with how far the engine
 * is behind when that is more than its usual second: `pending` events are
 * not in the numbers yet (a fresh install of a large store, or a site
 * whose time zone changed, is being added up).
 */
export async function currentReport(
  store: Store,
  site: Site,
  state: ReportState,
  limit: number,
  dimensions?: readonly Dimension[],
): Promise<{ report: Report; pending: number }> {
  const lag = await engineLag(store);
  const pending = lag.rebuilding.has(site.id) ? Math.max(1, lag.events) : lag.events > CATCHING_UP_EVENTS ? lag.events : 0;
  const report = await loadReport(store, site, state.period, state.filters, limit, dimensions);
  return { report, pending };
}

/**
 * The raw event list, filtered by each event's own values: a page filter
 * is checked again on the path, since SQL matches it loosely.
 */
export async function listMatchingEvents(
  store: Store,
  site: Site,
  state: ReportState,
  limit: number,
  before: EventCursor | undefined,
  range: { from?: number; to?: number } = {},
): Promise<{ events: Event[]; next: EventCursor | undefined }> {
  const filters = state.filters.map(eventFilter);
  const paths = state.filters.filter((f) => f.dimension === 'page' || f.dimension === 'entry_page' || f.dimension === 'exit_page');
  const result = await listEvents(store.db, site.id, limit, { before, ...range, filters });
  const events = result.events.filter((event) => paths.every((f) => pagePath(event.url) === f.value));
  return { events, next: result.next };
}

function eventFilter(filter: Filter): EventFilter {
  switch (filter.dimension) {
    case 'page':
    case 'entry_page':
    case 'exit_page':
      return { path: filter.value };
    case 'event':
      return { column: 'name', value: filter.value };
    case 'browser_version':
      // Shown as "Chrome 140": the browser is enough to narrow the list.
      return { column: 'browser', value: filter.value.replace(/ [^ ]+$/, '') || null };
    default:
      return { column: filter.dimension, value: filter.value === '' ? null : filter.value };
  }
}

/** `TS.ID`, the position after which an event list goes on; anything else is a 400. */
export function parseCursor(text: string | undefined): EventCursor | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(text);
  if (match === null) throw new HttpError(400, 'That page link is broken: go back to the newest events.');
  return { ts: Number(match[1]), id: Number(match[2]) };
}
