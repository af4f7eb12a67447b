/** The API's operations: the account's sites, one site, and its reports. */
import type { Store } from '../../core/db/connect.js';
import type { Site } from '../../core/db/schema.js';
import { deleteSite, findSite, insertSite, listSites, updateSite } from '../../core/db/sites.js';
import { HttpError } from '../../core/errors.js';
import type { SiteCache } from '../../core/site-cache.js';
import { parseSiteForm } from '../forms.js';
import type { Dimension } from '../reports/dimensions.js';
import { currentReport, listMatchingEvents, parseCursor } from '../reports/reads.js';
import { loadRealtime } from '../reports/realtime.js';
import { changeTimezone } from '../reports/rollup-job.js';
import { parseReportState, type ReportState } from '../reports/state.js';
import { dayBounds, isTimeZone, localDay } from '../reports/zone.js';
import { eventJson, periodJson, rowJson, siteJson, totalsJson } from './json.js';
import { OPERATIONS } from './operations.js';
import type { Registrar } from './register.js';
import type { Checked } from './schema.js';

/** The dashboard's report parameters, as every report operation takes them. */
type ReportQuery = Checked<typeof OPERATIONS.getStats>['query'];

/** What the operations need. */
interface OperationDeps {
  readonly store: Store;
  readonly sites: SiteCache;
}

/** The account's sites: list them, add one. */
export function accountOperations({ route }: Registrar, { store }: OperationDeps): void {
  const { db } = store;
  route(OPERATIONS.listSites, async (c) => c.json({ sites: (await listSites(db, c.get('apiUser').id)).map(siteJson) }));

  route(OPERATIONS.createSite, async (c) => {
    const body = c.req.valid('json');
    const checked = parseSiteForm({ base_url: body.base_url, name: body.name ?? '' });
    const timezone = body.timezone ?? 'UTC';
    const errors = 'errors' in checked ? { ...checked.errors } : {};
    if (!isTimeZone(timezone)) errors.timezone = 'is not a time zone';
    if ('errors' in checked || Object.keys(errors).length > 0) throw new HttpError(400, 'Some fields are wrong.', errors);
    const site = await insertSite(db, { ...checked.site, timezone, owner_id: c.get('apiUser').id, created_at: Date.now() });
    return c.json(siteJson(site), 201);
  });
}

/** One site: read it, change it, delete it. */
export function siteOperations({ siteRoute }: Registrar, { store, sites }: OperationDeps): void {
  const { db } = store;
  siteRoute(OPERATIONS.getSite, async (c) => c.json(siteJson(c.var.site)));

  siteRoute(OPERATIONS.updateSite, async (c) => {
    const { site } = c.var;
    const body = c.req.valid('json');
    const checked = parseSiteForm({ base_url: body.base_url ?? site.base_url, name: body.name ?? site.name });
    const timezone = body.timezone ?? site.timezone;
    const errors = 'errors' in checked ? { ...checked.errors } : {};
    if (!isTimeZone(timezone)) errors.timezone = 'is not a time zone';
    if ('errors' in checked || Object.keys(errors).length > 0) throw new HttpError(400, 'Some fields are wrong.', errors);
    await updateSite(db, site.id, checked.site);
    if (timezone !== site.timezone) await changeTimezone(store, site.id, timezone);
    sites.forget(site.id);
    return c.json(siteJson((await findSite(db, site.id)) ?? site));
  });

  siteRoute(OPERATIONS.deleteSite, async (c) => {
    await deleteSite(db, c.var.site.id);
    sites.forget(c.var.site.id);
    return c.body(null, 204);
  });
}

/** A site's reports, with the dashboard's parameters and numbers. */
export function reportOperations({ siteRoute }: Registrar, { store }: OperationDeps): void {
  const { db } = store;
  siteRoute(OPERATIONS.getStats, async (c) => {
    const { site } = c.var;
    const { state, report: r } = await report(store, site, c.req.valid('query'), []);
    return c.json({ period: periodJson(state, site), totals: totalsJson(r.totals), previous: totalsJson(r.previous) });
  });

  siteRoute(OPERATIONS.getTimeseries, async (c) => {
    const { site } = c.var;
    const { state, report: r } = await report(store, site, c.req.valid('query'), []);
    return c.json({ period: periodJson(state, site), granularity: state.period.granularity, points: r.series });
  });

  siteRoute(OPERATIONS.getBreakdown, async (c) => {
    const { site } = c.var;
    const { dimension } = c.req.valid('param');
    const { state, report: r } = await report(store, site, c.req.valid('query'), [dimension]);
    const total = r.totals.visitors;
    return c.json({
      period: periodJson(state, site),
      dimension,
      rows: r.breakdowns[dimension].map((row) => rowJson(row, total)),
    });
  });

  siteRoute(OPERATIONS.getRealtime, async (c) => c.json(await loadRealtime(db, c.var.site.id, Date.now())));

  siteRoute(OPERATIONS.listEvents, async (c) => {
    const { site } = c.var;
    const query = c.req.valid('query');
    const state = reportState(site, query);
    const before = parseCursor(query.cursor);
    // The period's days, as the CSV export of the events has them.
    const [from] = dayBounds(state.period.from, site.timezone);
    const [, to] = dayBounds(state.period.to, site.timezone);
    const { events, next } = await listMatchingEvents(store, site, state, query.limit ?? 100, before, { from, to });
    return c.json({ events: events.map(eventJson), next_cursor: next === undefined ? null : `${next.ts}.${next.id}` });
  });
}

/**
 * The report state from the dashboard's parameters. `timezone` may only
 * name the site's own zone: the engine cuts visits and days in that zone,
 * and any other would mean adding up the raw events again.
 */
function reportState(site: Site, query: ReportQuery): ReportState {
  const zone = query.timezone ?? site.timezone;
  if (!isTimeZone(zone)) throw new HttpError(400, 'Some parameters are wrong.', { timezone: 'is not a time zone' });
  if (zone !== site.timezone) {
    throw new HttpError(400, 'Some parameters are wrong.', {
      timezone: `must be the site's time zone, ${site.timezone}: reports are kept in it (change the site's zone to read another)`,
    });
  }
  const { period, from, to } = query;
  const values: Record<string, string | undefined> = { period, from, to };
  return parseReportState((name) => values[name], query.f ?? [], localDay(Date.now(), zone));
}

async function report(store: Store, site: Site, query: ReportQuery & { limit?: number | undefined }, dimensions?: readonly Dimension[]) {
  const state = reportState(site, query);
  return { state, report: (await currentReport(store, site, state, query.limit ?? 10, dimensions)).report };
}
