/**
 * Turns what a client sent into an event we can store, or a 400 that names
 * every bad field at once. Nothing here touches the database.
 */
import { isIP } from 'node:net';
import { type FieldErrors, HttpError } from './errors.js';

/** Longest URL or referrer we keep; longer ones are refused, not cut. */
export const MAX_URL = 2048;
/** Longest event name. */
export const MAX_NAME = 120;
/** Largest request body the collector reads. */
export const MAX_BODY = 8 * 1024;
const MAX_BROWSER = 512;

/** What the tracker sends to `POST /api/event`, after checking. */
export interface Beacon {
  site: number;
  name: string;
  url: string;
  referrer: string | null;
}

/** What the seed's `POST /site/:id/visit` form carries, after checking. */
export interface Visit {
  name: string;
  url: string;
  browser: string | null;
  ip: string | null;
  /** Midnight UTC of the form's `date`. */
  ts: number;
}

const BEACON_FIELDS = new Set(['site', 'name', 'url', 'referrer']);

/**
 * Parses a beacon body. It is JSON whatever the Content-Type says, because
 * `sendBeacon` posts strings as text/plain to avoid a CORS preflight.
 * IP, User-Agent and time are never taken from the body.
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
  const errors: FieldErrors = {};
  for (const key of Object.keys(input)) {
    if (!BEACON_FIELDS.has(key)) errors[key] = 'unknown field';
  }
  const site = input.site;
  if (typeof site !== 'number' || !Number.isSafeInteger(site) || site < 1) {
    errors.site = 'required: the site id, a positive whole number';
  }
  const name = checkText(errors, 'name', input.name, MAX_NAME, true);
  const url = checkText(errors, 'url', input.url, MAX_URL, true);
  if (url !== null && !isHttpUrl(url)) errors.url = 'must be an absolute http(s) URL';
  const referrer = checkText(errors, 'referrer', input.referrer, MAX_URL, false);
  failIfAny(errors, 'The event was refused.');
  return { site: site as number, name: name as string, url: url as string, referrer: referrer || null };
}

/**
 * Parses the seed's visit form: `event`, `browser`, `url`, `ip_address`,
 * `date` (YYYY-MM-DD). Unknown fields are ignored, as the seed's form did.
 */
export function parseVisitForm(form: Record<string, unknown>): Visit {
  const errors: FieldErrors = {};
  const name = checkText(errors, 'event', form.event, MAX_NAME, true);
  const url = checkText(errors, 'url', form.url, MAX_URL, true);
  const browser = checkText(errors, 'browser', form.browser, MAX_BROWSER, false);
  const ip = checkText(errors, 'ip_address', form.ip_address, 45, false);
  if (ip && isIP(ip) === 0) errors.ip_address = 'must be an IPv4 or IPv6 address';
  const date = checkText(errors, 'date', form.date, 10, true);
  const ts = date === null ? null : parseDay(date);
  if (date !== null && ts === null) errors.date = 'must be a real date written YYYY-MM-DD';
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

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function failIfAny(errors: FieldErrors, message: string): void {
  if (Object.keys(errors).length > 0) throw new HttpError(400, message, errors);
}
