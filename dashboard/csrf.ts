/**
 * CSRF protection (OWASP's signed double submit, tied to the session):
 *
 * - Signed in, a form must carry a token derived from the session's own
 *   token (a hash of it, which only the server and that browser's
 *   HttpOnly session cookie can give). A cookie planted from another site
 *   cannot forge it, and it changes with every login.
 * - Signed out (the login and register forms), a random token lives in an
 *   HttpOnly cookie and the form must echo it: another origin can make the
 *   browser send the cookie, but cannot read it.
 *
 * On https the cookie is named `__Host-sightline_csrf`, which a subdomain
 * or a plain-http page cannot set.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { HttpError } from '../core/errors.js';
import { SESSION_COOKIE } from './auth.js';

const COOKIE = 'sightline_csrf';
/** The form field that carries the token. */
export const CSRF_FIELD = '_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM_REFUSED = 'This form has expired or came from another site. Reload the page and try again.';

/** The token that a signed-in session's forms carry. */
export function sessionCsrfToken(sessionToken: string): string {
  return createHash('sha256').update(`sightline csrf\n${sessionToken}`).digest('base64url');
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The token that forms rendered in this request must carry. */
    csrfToken: string;
  }
}

/**
 * Issues the token cookie and refuses unsafe requests that do not echo it.
 * The cookie is Secure on HTTPS requests, and always when the public URL is
 * HTTPS (behind a proxy that ends TLS, requests arrive as plain HTTP).
 */
export function csrfProtection(publicHttps: boolean): MiddlewareHandler {
  return async (c, next) => {
    const token = expectedToken(c, publicHttps);
    c.set('csrfToken', token);
    if (!SAFE_METHODS.has(c.req.method)) {
      const sent = await submittedToken(c.req.header('content-type'), () => c.req.parseBody());
      if (sent === undefined || !sameToken(sent, token)) {
        throw new HttpError(403, FORM_REFUSED);
      }
    }
    await next();
  };
}

/** The session's token when the request has a session cookie, else the anonymous cookie's (made now if missing). */
function expectedToken(c: Context, publicHttps: boolean): string {
  const session = getCookie(c, SESSION_COOKIE);
  if (session !== undefined && /^[\w-]{43}$/.test(session)) return sessionCsrfToken(session);
  const secure = publicHttps || new URL(c.req.url).protocol === 'https:';
  const name = secure ? `__Host-${COOKIE}` : COOKIE;
  const token = getCookie(c, name);
  if (token !== undefined && /^[\w-]{43}$/.test(token)) return token;
  const fresh = randomBytes(32).toString('base64url');
  // __Host- requires Secure, Path=/ and no Domain.
  setCookie(c, name, fresh, { path: '/', httpOnly: true, sameSite: 'Lax', secure });
  return fresh;
}

async function submittedToken(type: string | undefined, parse: () => Promise<Record<string, unknown>>): Promise<string | undefined> {
  if (!type?.startsWith('application/x-www-form-urlencoded') && !type?.startsWith('multipart/form-data')) return undefined;
  try {
    const value = (await parse())[CSRF_FIELD];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Hono's CSRF check, in front of the tokens: an unsafe form request must
 * say it comes from a page of this dashboard, by `Sec-Fetch-Site:
 * same-origin` or by its `Origin`: this request's own, or the public URL's
 * (behind a proxy that ends TLS, requests arrive as plain http). A refusal
 * reads like the token check's, not Hono's bare "Forbidden".
 */
export function originCheck(publicOrigin: string | undefined): MiddlewareHandler {
  const check = csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === publicOrigin });
  return async (c, next) => {
    try {
      await check(c, async () => undefined);
    } catch (error) {
      if (error instanceof HTTPException && error.status === 403) throw new HttpError(403, FORM_REFUSED);
      throw error;
    }
    await next();
  };
}
