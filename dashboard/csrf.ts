/**
 * CSRF protection by double submit: a random token lives in an HttpOnly
 * cookie, and every state-changing form must echo it in `_csrf`. Another
 * origin can make the browser send the cookie but cannot read it to echo.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { HttpError } from '../collector/errors.js';

const COOKIE = 'sightline_csrf';
/** The form field that carries the token. */
export const CSRF_FIELD = '_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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
    let token = getCookie(c, COOKIE);
    if (token === undefined || !/^[\w-]{43}$/.test(token)) {
      token = randomBytes(32).toString('base64url');
      setCookie(c, COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'Lax',
        secure: publicHttps || new URL(c.req.url).protocol === 'https:',
      });
    }
    c.set('csrfToken', token);
    if (!SAFE_METHODS.has(c.req.method)) {
      const sent = await submittedToken(c.req.header('content-type'), () => c.req.parseBody());
      if (sent === undefined || !sameToken(sent, token)) {
        throw new HttpError(403, 'This form has expired or came from another site. Reload the page and try again.');
      }
    }
    await next();
  };
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
