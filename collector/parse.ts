/**
 * Turns what a client sent into an event we can store, or a 400 that names
 * every bad field at once. Nothing here touches the database.
 */

import { isIP } from 'node:net';
import { type FieldErrors, fieldErrors, HttpError } from '../core/errors.js';
import { DOWNLOAD, ENGAGEMENT, OUTBOUND, PAGEVIEW } from '../core/event-names.js';
import { parseId } from '../core/ids.js';
import { type Page, parseHttpUrl, parsePage } from '../core/page.js';
import { DAY_MS } from '../core/time.js';

/** Longest URL or referrer we keep; longer ones are refused, not cut. */
export const MAX_URL = 2048;
/** Longest event name. */
export const MAX_NAME = 120;
/** Largest request body the collector reads. */
export const MAX_BODY = 8 * 1024;
const MAX_BROWSER = 512;

/** Most custom properties one event may carry. */
export const MAX_PROPS = 30;
const MAX_PROP_KEY = 40;
const MAX_PROP_VALUE = 200;
/** Longest engaged time one report may carry: a day. */
const MAX_ENGAGED_MS = 86_400_000;

const RESERVED = new Set([PAGEVIEW, ENGAGEMENT]);

/** A checked beacon, in the shape the events table stores. */
export interface Beacon {
  site: number;
  name: string;
  url: string;
  /** `url`, parsed once here for the filters and the campaign parameters. */
  page: Page;
  referrer: string | null;
  /** JSON object text, or null. */
  props: string | null;
  engagedMs: number | null;
}

const BEACON_KEYS = new Set(['s', 'u', 'r', 'n', 'p', 'e', 'o', 'd']);
/** The keys that say what kind of event a beacon is; at most one may be sent. */
const KINDS = ['n', 'e', 'o', 'd'] as const;
const LINKS = [
  ['o', OUTBOUND],
  ['d', DOWNLOAD],
] as const;
/** What the visit form (`POST /site/:id/visit`) carries, after checking. */
export interface Visit {
  name: string;
  url: string;
  browser: string | null;
  ip: string | null;
  /** Midnight UTC of the form's `date`. */
  ts: number;
}

/**
 * Parses the tracker's payload (README, "Payload"). It is JSON whatever the
 * Content-Type says, because `sendBeacon` posts strings as text/plain to
 * avoid a CORS preflight. IP, User-Agent and time never come from the body.
 * Every bad field is named at once.
 */
export function parseBeacon(body: string): Beacon {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'The body is not valid JSON.');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HttpError(400, 'The body must be a JSON object.');
  }
  const input = data as Record<string, unknown>;
  const errors = fieldErrors();
  // JSON.parse makes plain objects: every key `in` reaches is the body's own.
  for (const key in input) {
    if (!BEACON_KEYS.has(key)) errors[key] = 'unknown field';
  }
  const site = input.s;
  if (typeof site !== 'number' || !Number.isSafeInteger(site) || site < 1) errors.s = 'required: the site id, a positive whole number';
  const url = checkText(errors, 'u', input.u, MAX_URL, true);
  const page = url === null ? null : parsePage(url);
  if (url !== null && page === null) errors.u = 'must be an absolute http(s) URL';
  const referrer = checkText(errors, 'r', input.r, MAX_URL, false);

  let kind: string | undefined;
  for (const key of KINDS) {
    if (input[key] === undefined) continue;
    if (kind === undefined) kind = key;
    else errors[key] = `send only one of n, e, o and d (this body also has ${kind})`;
  }
  let name = PAGEVIEW;
  let props: string | null = null;
  let engagedMs: number | null = null;
  if (input.n !== undefined) {
    name = checkText(errors, 'n', input.n, MAX_NAME, true) ?? '';
    if (RESERVED.has(name)) errors.n = `"${name}" is reserved for events the tracker sends itself`;
    props = checkProps(errors, input.p);
  } else if (input.p !== undefined) {
    errors.p = 'properties go with a custom event (n)';
  }
  if (input.e !== undefined) {
    name = ENGAGEMENT;
    const ms = input.e;
    if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 1 || ms > MAX_ENGAGED_MS) {
      errors.e = `engaged milliseconds, a whole number from 1 to ${MAX_ENGAGED_MS}`;
    } else {
      engagedMs = ms;
    }
  }
  for (const [key, linkName] of LINKS) {
    if (input[key] === undefined) continue;
    name = linkName;
    const target = checkUrl(errors, key, input[key]);
    if (target !== null) props = JSON.stringify({ url: target });
  }
  failIfAny(errors, 'The event was refused.');
  return { site: site as number, name, url: url as string, page: page as Page, referrer: referrer || null, props, engagedMs };
}

function checkUrl(errors: FieldErrors, field: string, value: unknown): string | null {
  const text = checkText(errors, field, value, MAX_URL, true);
  if (text !== null && parseHttpUrl(text) === null) {
    errors[field] = 'must be an absolute http(s) URL';
    return null;
  }
  return text;
}

function checkProps(errors: FieldErrors, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.p = 'must be an object of properties';
    return null;
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_PROPS) {
    errors.p = `at most ${MAX_PROPS} properties`;
    return null;
  }
  for (const [key, prop] of entries) {
    if (key === '' || key.length > MAX_PROP_KEY || key.includes('\u0000')) {
      errors.p = `property names must be 1 to ${MAX_PROP_KEY} characters`;
      return null;
    }
    const ok =
      typeof prop === 'boolean' ||
      (typeof prop === 'number' && Number.isFinite(prop)) ||
      (typeof prop === 'string' && prop.length <= MAX_PROP_VALUE && !prop.includes('\u0000'));
    if (!ok) {
      errors.p = `property "${key.slice(0, MAX_PROP_KEY)}" must be a string of at most ${MAX_PROP_VALUE} characters, a number or a boolean`;
      return null;
    }
  }
  return entries.length === 0 ? null : JSON.stringify(value);
}

/** A checked `<noscript>` pixel request. */
export interface PixelView {
  site: number;
  url: string;
  page: Page;
}

/** Parses the pixel's `?s=SITE` and the page URL from its Referer header. */
export function parsePixel(site: string | undefined, referer: string | undefined): PixelView {
  const errors = fieldErrors();
  const id = site === undefined ? 0 : parseId(site);
  if (id < 1) errors.s = 'required: the site id, a positive whole number';
  const url = checkText(errors, 'referer', referer, MAX_URL, true);
  const page = url === null ? null : parsePage(url);
  if (url !== null && page === null) errors.referer = "the Referer header must be the page's http(s) URL";
  failIfAny(errors, 'The page view was refused.');
  return { site: id, url: url as string, page: page as Page };
}

/**
 * Parses the visit form: `event`, `browser`, `url`, `ip_address`,
 * `date` (YYYY-MM-DD, at most a day after `now`). Unknown fields are
 * ignored, as the Flask-Tracking form route did.
 */
export function parseVisitForm(form: Record<string, unknown>, now: number): Visit {
  const errors = fieldErrors();
  const name = checkText(errors, 'event', form.event, MAX_NAME, true);
  const url = checkText(errors, 'url', form.url, MAX_URL, true);
  const browser = checkText(errors, 'browser', form.browser, MAX_BROWSER, false);
  const ip = checkText(errors, 'ip_address', form.ip_address, 45, false);
  if (ip && isIP(ip) === 0) errors.ip_address = 'must be an IPv4 or IPv6 address';
  const date = checkText(errors, 'date', form.date, 10, true);
  const ts = date === null ? null : parseDay(date);
  if (date !== null && ts === null) errors.date = 'must be a real date written YYYY-MM-DD';
  // Somewhere it is already tomorrow; later than that is no visit yet.
  else if (ts !== null && ts > now + DAY_MS) errors.date = 'must not be more than a day in the future';
  failIfAny(errors, 'The visit was refused.');
  return { name: name as string, url: url as string, browser: browser || null, ip: ip || null, ts: ts as number };
}

/** Midnight UTC of a YYYY-MM-DD day, or null if there is no such day. */
export function parseDay(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ts = Date.UTC(year, month - 1, day);
  const back = new Date(ts);
  // Date.UTC rolls 2013-02-30 over into March; a real day survives the round trip.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return ts;
}

function checkText(errors: FieldErrors, field: string, value: unknown, max: number, required: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) errors[field] = 'required';
    return null;
  }
  if (typeof value !== 'string') {
    errors[field] = 'must be a string';
    return null;
  }
  if (value.length > max) {
    errors[field] = `longer than ${max} characters`;
    return null;
  }
  // PostgreSQL cannot store NUL in text; refuse it on every store alike.
  if (value.includes('\u0000')) {
    errors[field] = 'must not contain NUL characters';
    return null;
  }
  return value;
}

function failIfAny(errors: FieldErrors, message: string): void {
  for (const _ in errors) throw new HttpError(400, message, errors);
}
