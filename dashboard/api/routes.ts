/**
 * The JSON API under /api/v1: sites, and every number the dashboard shows,
 * for scripts. Requests carry `Authorization: Bearer KEY`; a key reaches its
 * account's sites only. Each operation is described once in ./operations.ts,
 * which checks its requests and writes the OpenAPI document. The numbers come
 * from the dashboard's own code (report-routes.tsx, reports/).
 */

import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AddressList } from '../../core/cidr.js';
import { findApiKey, touchApiKey } from '../../core/db/accounts.js';
import type { Store } from '../../core/db/connect.js';
import type { BreakdownRow, Sums } from '../../core/db/rollup-sums.js';
import type { ApiKey, Event, Site, User } from '../../core/db/schema.js';
import { deleteSite, findSite, insertSite, listSites, updateSite } from '../../core/db/sites.js';
import { type ErrorRenderer, HttpError } from '../../core/errors.js';
import { clientAddress, socketAddress, throttleAddress } from '../../core/ip.js';
import type { SiteCache } from '../../core/site-cache.js';
import { tokenHash } from '../auth.js';
import { parseSiteForm } from '../forms.js';
import { noStore } from '../headers.js';
import { currentReport, listMatchingEvents, parseCursor } from '../report-routes.js';
import type { Dimension } from '../reports/dimensions.js';
import { loadRealtime } from '../reports/realtime.js';
import { changeTimezone } from '../reports/rollup-job.js';
import { parseReportState, type ReportState } from '../reports/state.js';
import { dayBounds, isTimeZone, localDay } from '../reports/zone.js';
import { API_KEY_THROTTLE, LoginThrottle, tooMany } from '../throttle.js';
import { topLine } from '../views/report.js';
import { OPERATIONS } from './operations.js';
import { checkBody, checkParams, type Operation, openApiDocument, type Values } from './schema.js';

/** The largest request body: a site is a few hundred bytes. */
const MAX_BODY = 16 * 1024;
/** Requests per key per minute, unless a test says otherwise. */
export const RATE_LIMIT = 600;
const WINDOW_MS = 60_000;
// Writing last_used_at on every request would turn each read into a write.
const TOUCH_EVERY_MS = 60_000;

/** What the API needs. */
export interface ApiDeps {
  readonly store: Store;
  readonly sites: SiteCache;
  /** Proxies whose X-Forwarded-For is believed, for the address that unknown keys are counted by. */
  readonly trustedProxies: AddressList;
  readonly rateLimit?: number;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The account an API key belongs to. */
    apiUser: User;
  }
}

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** Every API error has one shape: `{ error: { code, message, fields? } }`. */
const renderApiError: ErrorRenderer = (c, status, message, fields) =>
  c.json({ error: { code: CODES[status] ?? (status >= 500 ? 'internal' : 'error'), message, ...(fields ? { fields } : {}) } }, status);

/** The API's routes, to mount at /api/v1 before the dashboard. */
export function createApi(deps: ApiDeps): Hono {
  const { store } = deps;
  const { db } = store;
  const unknownKeys = new LoginThrottle(API_KEY_THROTTLE);
  const limit = deps.rateLimit ?? RATE_LIMIT;
  const windows = new Map<number, { start: number; count: number }>();
  const app = new Hono();

  app.use(async (c, next) => {
    c.set('renderError', renderApiError);
    await next();
  });
  app.use(noStore());
  app.use(
    bodyLimit({
      maxSize: MAX_BODY,
      onError: () => {
        throw new HttpError(413, `Send at most ${MAX_BODY} bytes.`);
      },
    }),
  );

  app.get('/openapi.json', (c) =>
    c.json(
      openApiDocument(OPERATIONS, {
        title: 'Sightline API',
        version: '1',
        description: 'Sites and their reports: the numbers the dashboard shows, as JSON.',
      }),
    ),
  );

  // Everything else needs a key.
  app.use(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) throw new HttpError(401, 'Send an API key: Authorization: Bearer KEY (make one under Account).');
    // Guessing keys is throttled per address, as guessing passwords is.
    const address = throttleAddress(clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), deps.trustedProxies));
    const keys = [`apikey:${address}`];
    const verdict = unknownKeys.verdict(keys, Date.now());
    if ('refusedUntil' in verdict) throw tooMany('unknown API keys from this address', verdict.refusedUntil, Date.now());
    const found = await findApiKey(db, tokenHash(match[1] ?? ''));
    if (found === undefined) {
      unknownKeys.fail(keys, Date.now());
      throw new HttpError(401, 'That API key does not exist, or was revoked.');
    }
    limitRate(found.key, Date.now());
    if (Date.now() - (found.key.last_used_at ?? 0) > TOUCH_EVERY_MS) await touchApiKey(db, found.key.id, Date.now());
    c.set('apiUser', found.user);
    await next();
  });

  function limitRate(key: ApiKey, now: number): void {
    let window = windows.get(key.id);
    if (window === undefined || now - window.start >= WINDOW_MS) {
      window = { start: now, count: 0 };
      windows.set(key.id, window);
    }
    window.count++;
    if (window.count > limit) {
      const seconds = Math.ceil((window.start + WINDOW_MS - now) / 1000);
      throw new HttpError(429, `This key made more than ${limit} requests this minute. Try again in ${seconds} s.`, undefined, {
        'Retry-After': String(seconds),
      });
    }
  }

  /** Registers an operation: its parameters (and body) are checked before the handler runs. */
  function route(id: string, handler: (c: Context, values: Values, body: Record<string, unknown>) => Promise<Response>): void {
    const op = OPERATIONS.find((o) => o.id === id) as Operation;
    const path = op.path.replace(/\{(\w+)\}/g, ':$1');
    app.on(op.method.toUpperCase(), path, async (c) => {
      const values = checkParams(op, c.req.queries() as Record<string, string[]>, c.req.param() as Record<string, string>);
      let body: Record<string, unknown> = {};
      if (op.body !== undefined) {
        if (!isJson(c.req.header('content-type'))) throw new HttpError(415, 'Send the body as application/json.');
        let json: unknown;
        try {
          json = await c.req.json();
        } catch {
          throw new HttpError(400, 'The body is not valid JSON.');
        }
        body = checkBody(op.body, json);
      }
      return handler(c, values, body);
    });
  }

  /** The key's account's site, or the same 404 as for a site that does not exist. */
  async function ownSite(c: Context, values: Values): Promise<Site> {
    const site = await findSite(db, values.id as number);
    if (site === undefined || site.owner_id !== c.get('apiUser').id) throw new HttpError(404, 'There is no such site.');
    return site;
  }

  /**
   * The report state from the dashboard's parameters. `timezone` may only
   * name the site's own zone: the engine cuts visits and days in that zone,
   * and any other would mean adding up the raw events again.
   */
  function reportState(site: Site, values: Values): ReportState {
    const zone = (values.timezone as string | undefined) ?? site.timezone;
    if (!isTimeZone(zone)) throw new HttpError(400, 'Some parameters are wrong.', { timezone: 'is not a time zone' });
    if (zone !== site.timezone) {
      throw new HttpError(400, 'Some parameters are wrong.', {
        timezone: `must be the site's time zone, ${site.timezone}: reports are kept in it (change the site's zone to read another)`,
      });
    }
    const query = (name: string) => values[name] as string | undefined;
    return parseReportState(query, (values.f as string[] | undefined) ?? [], localDay(Date.now(), zone));
  }

  async function report(site: Site, values: Values, dimensions?: readonly Dimension[]) {
    const state = reportState(site, values);
    const limit = (values.limit as number | undefined) ?? 10;
    return { state, report: (await currentReport(store, site, state, limit, dimensions)).report };
  }

  route('listSites', async (c) => c.json({ sites: (await listSites(db, c.get('apiUser').id)).map(siteJson) }));

  route('createSite', async (c, _values, body) => {
    const checked = parseSiteForm({ base_url: body.base_url, name: body.name ?? '' });
    const timezone = (body.timezone as string | undefined) ?? 'UTC';
    const errors = 'errors' in checked ? { ...checked.errors } : {};
    if (!isTimeZone(timezone)) errors.timezone = 'is not a time zone';
    if ('errors' in checked || Object.keys(errors).length > 0) throw new HttpError(400, 'Some fields are wrong.', errors);
    const site = await insertSite(db, { ...checked.site, timezone, owner_id: c.get('apiUser').id, created_at: Date.now() });
    return c.json(siteJson(site), 201);
  });

  route('getSite', async (c, values) => c.json(siteJson(await ownSite(c, values))));

  route('updateSite', async (c, values, body) => {
    const site = await ownSite(c, values);
    const checked = parseSiteForm({ base_url: body.base_url ?? site.base_url, name: body.name ?? site.name });
    const timezone = (body.timezone as string | undefined) ?? site.timezone;
    const errors = 'errors' in checked ? { ...checked.errors } : {};
    if (!isTimeZone(timezone)) errors.timezone = 'is not a time zone';
    if ('errors' in checked || Object.keys(errors).length > 0) throw new HttpError(400, 'Some fields are wrong.', errors);
    await updateSite(db, site.id, checked.site);
    if (timezone !== site.timezone) await changeTimezone(store, site.id, timezone);
    deps.sites.forget(site.id);
    return c.json(siteJson((await findSite(db, site.id)) as Site));
  });

  route('deleteSite', async (c, values) => {
    const site = await ownSite(c, values);
    await deleteSite(db, site.id);
    deps.sites.forget(site.id);
    return c.body(null, 204);
  });

  route('getStats', async (c, values) => {
    const site = await ownSite(c, values);
    const { state, report: r } = await report(site, values, []);
    return c.json({ period: periodJson(state, site), totals: totalsJson(r.totals), previous: totalsJson(r.previous) });
  });

  route('getTimeseries', async (c, values) => {
    const site = await ownSite(c, values);
    const { state, report: r } = await report(site, values, []);
    return c.json({ period: periodJson(state, site), granularity: state.period.granularity, points: r.series });
  });

  route('getBreakdown', async (c, values) => {
    const dimension = values.dimension as Dimension;
    const site = await ownSite(c, values);
    const { state, report: r } = await report(site, values, [dimension]);
    const total = r.totals.visitors;
    return c.json({
      period: periodJson(state, site),
      dimension,
      rows: r.breakdowns[dimension].map((row) => rowJson(row, total)),
    });
  });

  route('getRealtime', async (c, values) => {
    const site = await ownSite(c, values);
    return c.json(await loadRealtime(db, site.id, Date.now()));
  });

  route('listEvents', async (c, values) => {
    const site = await ownSite(c, values);
    const state = reportState(site, values);
    const before = parseCursor(values.cursor as string | undefined);
    // The period's days, as the CSV export of the events has them.
    const [from] = dayBounds(state.period.from, site.timezone);
    const [, to] = dayBounds(state.period.to, site.timezone);
    const { events, next } = await listMatchingEvents(store, site, state, (values.limit as number | undefined) ?? 100, before, {
      from,
      to,
    });
    return c.json({ events: events.map(eventJson), next_cursor: next === undefined ? null : `${next.ts}.${next.id}` });
  });

  app.all('*', () => {
    throw new HttpError(404, 'There is no such API endpoint; see /api/v1/openapi.json.');
  });
  return app;
}

function siteJson(site: Site) {
  return {
    id: site.id,
    name: site.name,
    base_url: site.base_url,
    domain: site.domain,
    timezone: site.timezone,
    created_at: new Date(site.created_at).toISOString(),
  };
}

function periodJson(state: ReportState, site: Site) {
  return { name: state.period.name, from: state.period.from, to: state.period.to, timezone: site.timezone, filters: state.filters };
}

function totalsJson(sums: Sums) {
  const line = topLine(sums);
  return {
    visitors: sums.visitors,
    visits: sums.visits,
    pageviews: sums.pageviews,
    views_per_visit: line.viewsPerVisit,
    bounce_rate: line.bounceRate,
    visit_duration_ms: Math.round(line.visitDuration),
    events: sums.events,
  };
}

function rowJson(row: BreakdownRow, totalVisitors: number) {
  return {
    value: row.value,
    visitors: row.visitors,
    visits: row.visits,
    pageviews: row.pageviews,
    events: row.events,
    share: totalVisitors === 0 ? 0 : row.visitors / totalVisitors,
    bounce_rate: row.visits === 0 ? 0 : row.bounces / row.visits,
    visit_duration_ms: row.visits === 0 ? 0 : Math.round(row.duration_ms / row.visits),
    time_on_page_ms: timeOnPage(row),
  };
}

/** As the dashboard shows it: per page view for pages, per exit for exit pages, none for the rest. */
function timeOnPage(row: BreakdownRow): number | null {
  const per = row.dimension === 'page' ? row.pageviews : row.dimension === 'exit_page' ? row.visits : 0;
  return per === 0 ? null : Math.round(row.engaged_ms / per);
}

function eventJson(event: Event) {
  const { site_id: _site, ...rest } = event;
  return { ...rest, time: new Date(event.ts).toISOString(), props: event.props === null ? null : (JSON.parse(event.props) as unknown) };
}

/** Whether a Content-Type names JSON: application/json, or a `+json` type, with any parameters. */
export function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type);
}
