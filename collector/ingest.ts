/**
 * The collector's pipeline, after parsing: find the site, filter, enrich,
 * write. Each step lives in its own module; this one only puts them in order.
 */

import type { IngestConfig } from '../core/config.js';
import type { NewEvent } from '../core/db/schema.js';
import { HttpError, retryLater } from '../core/errors.js';
import { PAGEVIEW } from '../core/event-names.js';
import { clientAddress, storedAddress } from '../core/ip.js';
import { logError } from '../core/log.js';
import type { SiteCache, SiteRules } from '../core/site-cache.js';
import type { DropReason } from '../core/stats.js';
import { describeAgent } from './agent.js';
import { dropReason } from './filter.js';
import type { Geo } from './geo.js';
import type { Beacon, PixelView, Visit } from './parse.js';
import { trafficSource } from './source.js';
import type { Salts, VisitorIds } from './visitor.js';
import type { EventWriter } from './writer.js';

/** What the pipeline needs, built once per process. */
export interface IngestDeps {
  readonly config: IngestConfig;
  readonly sites: SiteCache;
  readonly writer: EventWriter;
  readonly geo: Geo;
  readonly salts: Salts;
  readonly visitors: VisitorIds;
}

/** What the request itself says, beyond its body. */
export interface RequestFacts {
  readonly userAgent: string | undefined;
  readonly socketAddress: string | undefined;
  readonly forwardedFor: string | undefined;
  readonly now: number;
}

/** Stored, or dropped by a filter (and counted). */
export type Outcome = { readonly dropped: DropReason | undefined };

const STORED: Outcome = Object.freeze({ dropped: undefined });

/** An event from the tracker or the <noscript> pixel. */
export async function ingestBeacon(deps: IngestDeps, beacon: Beacon, facts: RequestFacts): Promise<Outcome> {
  const site = deps.sites.peek(beacon.site) ?? (await requireSite(deps, beacon.site));
  const agent = describeAgent(facts.userAgent);
  const ip = clientAddress(facts.socketAddress, facts.forwardedFor, deps.config.trustedProxies);
  const dropped = dropReason(site, { bot: agent.bot, pageHost: beacon.page.hostname, ip });
  if (dropped !== undefined) {
    deps.writer.countFiltered(site.id, dropped, facts.now);
    return { dropped };
  }
  // Cached values are used without a trip through a promise: this is the hot path.
  const salt = deps.salts.peek() ?? (await lookup(deps.salts.today()));
  const place = deps.geo.locate(ip);
  const source = trafficSource(beacon.page, beacon.referrer, site.domain);
  // Every column spelt out: an object literal of one fixed shape is built
  // several times faster than one with spreads in it.
  await deps.writer.write({
    site_id: site.id,
    ts: facts.now,
    name: beacon.name,
    url: beacon.url,
    referrer: beacon.referrer,
    props: beacon.props,
    engaged_ms: beacon.engagedMs,
    browser: agent.browser,
    browser_version: agent.browserVersion,
    os: agent.os,
    device: agent.device,
    country: place.country,
    region: place.region,
    city: place.city,
    source: source.source,
    utm_source: source.utm_source,
    utm_medium: source.utm_medium,
    utm_campaign: source.utm_campaign,
    utm_term: source.utm_term,
    utm_content: source.utm_content,
    visitor_id: deps.visitors.get(salt, site.id, ip, facts.userAgent ?? null),
    ip: storedAddress(ip, deps.config.ipStorage),
  });
  return STORED;
}

/**
 * A visit from the visit form route: an explicit API call, so no bot or
 * host filter (its URLs may be relative), but excluded addresses, geo-IP,
 * the visitor id and the IP_STORAGE setting apply as everywhere.
 */
export async function ingestVisit(deps: IngestDeps, siteId: number, visit: Visit, facts: RequestFacts): Promise<Outcome> {
  const site = await requireSite(deps, siteId);
  const ip = visit.ip ?? clientAddress(facts.socketAddress, facts.forwardedFor, deps.config.trustedProxies);
  const dropped = dropReason(site, { bot: false, pageHost: null, ip });
  if (dropped !== undefined) {
    deps.writer.countFiltered(site.id, dropped, facts.now);
    return { dropped };
  }
  const salt = deps.salts.peek() ?? (await lookup(deps.salts.today()));
  const row: NewEvent = {
    site_id: site.id,
    ts: visit.ts,
    name: visit.name,
    url: visit.url,
    referrer: null,
    browser: visit.browser,
    ...deps.geo.locate(ip),
    ...trafficSource(null, null, site.domain),
    visitor_id: deps.visitors.get(salt, site.id, ip, visit.browser),
    ip: storedAddress(ip, deps.config.ipStorage),
  };
  await deps.writer.write(row);
  return STORED;
}

/** A page view from a browser without JavaScript. */
export function ingestPixel(deps: IngestDeps, view: PixelView, facts: RequestFacts): Promise<Outcome> {
  return ingestBeacon(
    deps,
    { site: view.site, name: PAGEVIEW, url: view.url, page: view.page, referrer: null, props: null, engagedMs: null },
    facts,
  );
}

async function requireSite(deps: IngestDeps, id: number): Promise<SiteRules> {
  const site = await lookup(deps.sites.get(id));
  if (site === null) throw new HttpError(404, `There is no site ${id}.`);
  return site;
}

let lastLogged = 0;

/**
 * A lookup that the database answers. When it fails, the client hears 503
 * (nothing was stored; send again), as when a write fails, and the failure
 * is logged at most every ten seconds, not once per event.
 */
async function lookup<T>(answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    if (Date.now() - lastLogged > 10_000) {
      lastLogged = Date.now();
      logError('collector: a database lookup failed; answering 503', error);
    }
    throw retryLater('The database is unavailable; send the event again.');
  }
}
