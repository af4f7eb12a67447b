// What the collector reads of a request beyond its body: the facts the
// pipeline needs (User-Agent, addresses, time), the site id of the visit form
// route and its form body, read off the hot path's cheapest source.
import type { Context } from 'hono';
import { HttpError } from '../core/errors.js';
import { parseId } from '../core/ids.js';
import { socketAddress } from '../core/ip.js';
import type { RequestFacts } from './ingest.js';

/** The Node adapter puts the raw request in `c.env.incoming`. */
export interface NodeBindings {
  incoming?: {
    socket?: { remoteAddress?: string };
    headers?: Readonly<Record<string, string | string[] | undefined>>;
    joinDuplicateHeaders?: boolean;
  };
}

export type CollectorContext = Context<{ Bindings: NodeBindings }>;

export function requestFacts(c: CollectorContext): RequestFacts {
  return {
    userAgent: requestHeader(c, 'user-agent'),
    socketAddress: socketAddress(c),
    forwardedFor: requestHeader(c, 'x-forwarded-for'),
    now: Date.now(),
  };
}

/**
 * A header of the collector's hot path, from the headers Node has parsed
 * when the adapter passes them (Hono's lookup wraps them in a Headers-like
 * object and costs several times more); from Hono otherwise, as in tests.
 * Node reads these as Hono does: it joins repeated X-Forwarded-For headers,
 * and refuses a request whose Content-Length headers differ. Repeated
 * User-Agents it joins only on a server made with `joinDuplicateHeaders`
 * (NODE_SERVER_OPTIONS); elsewhere it keeps the first, and a bot could hide
 * behind a browser's, so then Hono's lookup, which joins them, is used.
 */
export function requestHeader(c: CollectorContext, name: 'user-agent' | 'x-forwarded-for' | 'content-length'): string | undefined {
  const incoming = c.env?.incoming;
  const headers = incoming?.headers;
  if (headers === undefined || (name === 'user-agent' && incoming?.joinDuplicateHeaders !== true)) return c.req.header(name);
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

export function parseSiteId(text: string): number {
  const id = parseId(text);
  if (id < 1) throw new HttpError(404, `There is no site ${text}.`);
  return id;
}

export async function readForm(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) {
    throw new HttpError(415, 'Send the visit as a form (application/x-www-form-urlencoded).');
  }
  try {
    return await c.req.parseBody();
  } catch {
    throw new HttpError(400, 'The form body could not be read.');
  }
}
