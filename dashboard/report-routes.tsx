/**
 * The report page and its CSV exports, for a site's owner (`/site/:id`) and
 * for a share link (`/share/:token`): the same report, with or without the
 * owner's parts.
 */

import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Store } from '../core/db/connect.js';
import { filteredSince } from '../core/db/filtered.js';
import type { Event, Site } from '../core/db/schema.js';
import { HttpError } from '../core/errors.js';
import { utcDay } from '../core/time.js';
import { toCsv } from './csv.js';
import { page } from './page.js';
import { DIMENSIONS, type Dimension } from './reports/dimensions.js';
import { currentReport, listMatchingEvents, parseCursor } from './reports/reads.js';
import { loadRealtime } from './reports/realtime.js';
import { parseReportState, type ReportState } from './reports/state.js';
import { dayBounds, localDay } from './reports/zone.js';
import type { Viewer } from './views/layout.js';
import { RealtimePage } from './views/realtime.js';
import { type OwnerParts, SitePage } from './views/site.js';

/** Events shown per page of a site's event list. */
export const EVENTS_PER_PAGE = 50;
/** Rows per breakdown on the page; an export has them all, up to EXPORT_ROWS. */
const BREAKDOWN_ROWS = 10;
const EXPORT_ROWS = 100_000;
// An exported event's columns after its time, name and URL; the owner's export adds `ip`.
const EXPORTED_COLUMNS = [
  'referrer',
  'props',
  'engaged_ms',
  'source',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'country',
  'region',
  'city',
  'browser',
  'browser_version',
  'os',
  'device',
] as const satisfies ReadonlyArray<keyof Event>;

function reportState(c: Context, site: Site): ReportState {
  return parseReportState((name) => c.req.query(name), c.req.queries('f') ?? [], localDay(Date.now(), site.timezone));
}

/** The report page. */
export async function reportPage(
  c: Context,
  store: Store,
  site: Site,
  basePath: string,
  owner: OwnerParts | undefined,
  status: ContentfulStatusCode,
): Promise<Response> {
  const { db } = store;
  const state = reportState(c, site);
  const before = parseCursor(c.req.query('before'));
  const { report, pending } = await currentReport(store, site, state, BREAKDOWN_ROWS);
  const realtime = await loadRealtime(db, site.id, Date.now());
  const { events, next } = await listMatchingEvents(store, site, state, EVENTS_PER_PAGE, before);
  const filtered = await filteredSince(db, site.id, `${utcDay(Date.now()).slice(0, 8)}01`);
  const props = { site, report, state, realtime, pending, events, next, paged: before !== undefined, filtered, basePath, owner };
  return page(c, <SitePage {...props} />, status);
}

/** `/…/realtime`: the live view, which reloads itself. */
export async function realtimePage(c: Context, store: Store, site: Site, basePath: string, viewer: Viewer | undefined): Promise<Response> {
  const now = Date.now();
  const realtime = await loadRealtime(store.db, site.id, now);
  return page(c, <RealtimePage site={site} realtime={realtime} basePath={basePath} viewer={viewer} at={now} />, 200);
}

/** `/…/export/NAME.csv`: one breakdown, or the raw events, of the period with its filters. */
/** `owner` says whether visitors' addresses may be in it: not through a share link. */
export async function exportCsv(c: Context, store: Store, site: Site, owner: boolean): Promise<Response> {
  const file = c.req.param('file') ?? '';
  const name = file.endsWith('.csv') ? file.slice(0, -4) : '';
  const state = reportState(c, site);
  let csv: string;
  if (name === 'events') {
    const [from] = dayBounds(state.period.from, site.timezone);
    const [, to] = dayBounds(state.period.to, site.timezone);
    const { events } = await listMatchingEvents(store, site, state, EXPORT_ROWS, undefined, { from, to });
    const columns: ReadonlyArray<keyof Event> = owner ? [...EXPORTED_COLUMNS, 'ip'] : EXPORTED_COLUMNS;
    csv = toCsv(
      ['time_utc', 'event', 'url', ...columns],
      events.map((e) => [new Date(e.ts).toISOString(), e.name, e.url, ...columns.map((column) => e[column])]),
    );
  } else if ((DIMENSIONS as readonly string[]).includes(name)) {
    const dimension = name as Dimension;
    const { report } = await currentReport(store, site, state, EXPORT_ROWS, [dimension]);
    csv = toCsv(
      [dimension, 'visitors', 'visits', 'pageviews', 'bounces', 'visit_duration_ms', 'events', 'engaged_ms'],
      report.breakdowns[dimension].map((row) => [
        row.value,
        row.visitors,
        row.visits,
        row.pageviews,
        row.bounces,
        row.duration_ms,
        row.events,
        row.engaged_ms,
      ]),
    );
  } else {
    throw new HttpError(404, 'There is no such export.');
  }
  const filename = `${site.domain}-${name}-${state.period.from}-${state.period.to}.csv`.replace(/[^\w.-]/g, '_');
  return c.body(csv, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` });
}
