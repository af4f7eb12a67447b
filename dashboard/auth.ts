/**
 * Server-side sessions. A browser holds a random 256-bit token in an
 * HttpOnly, SameSite=Lax cookie; the database holds only its SHA-256, so a
 * copy of the database opens no session. A session ends at logout, at a
 * password change, or after 30 days unused.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { deleteSession, deleteStaleSessions, findSessionUser, insertSession, touchSession } from '../core/db/accounts.js';
import type { Db, User } from '../core/db/schema.js';
import { hasControlCharacter } from './forms.js';

/** The session cookie's name. */
export const SESSION_COOKIE = 'sightline_session';
/** A session unused this long has ended. */
export const SESSION_IDLE_MS = 30 * 24 * 3600 * 1000;
// Writing last_seen_at on every page would turn each read into a write.
const TOUCH_EVERY_MS = 3600 * 1000;

declare module 'hono' {
  interface ContextVariableMap {
    /** The signed-in account, if any. */
    user: User | undefined;
  }
}

/** A new random token, as cookies and links carry it. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether cookies set in answer to this request must be Secure. */
export function secureRequest(c: Context, secureCookies: boolean): boolean {
  return secureCookies || new URL(c.req.url).protocol === 'https:';
}

/**
 * Finds the signed-in account from the session cookie, for every dashboard
 * request. When the session's last use is noted (hourly), the cookie's
 * Max-Age starts again too, so that browser and server expire it together.
 */
export function loadSession(db: Db, secureCookies: boolean, now: () => number = Date.now): MiddlewareHandler {
  let lastSweep = 0;
  return async (c, next) => {
    c.set('user', undefined);
    const token = getCookie(c, SESSION_COOKIE);
    if (token !== undefined && /^[\w-]{43}$/.test(token)) {
      const at = now();
      const hash = tokenHash(token);
      const found = await findSessionUser(db, hash, at - SESSION_IDLE_MS);
      if (found !== undefined) {
        c.set('user', found.user);
        if (at - found.lastSeenAt > TOUCH_EVERY_MS) {
          await touchSession(db, hash, at);
          setSessionCookie(c, token, secureRequest(c, secureCookies));
        }
      }
      // Expired sessions are deleted now and then, not on every request.
      if (at - lastSweep > TOUCH_EVERY_MS) {
        lastSweep = at;
        await deleteStaleSessions(db, at - SESSION_IDLE_MS);
      }
    }
    await next();
  };
}

/** Signs this browser in as `userId` with a fresh token. */
export async function startSession(c: Context, db: Db, userId: number, secure: boolean, now = Date.now()): Promise<void> {
  const token = newToken();
  await insertSession(db, tokenHash(token), userId, now);
  setSessionCookie(c, token, secure);
}

function setSessionCookie(c: Context, token: string, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'Lax', secure, maxAge: SESSION_IDLE_MS / 1000 });
}

/** Signs this browser out. */
export async function endSession(c: Context, db: Db): Promise<void> {
  const token = getCookie(c, SESSION_COOKIE);
  if (token !== undefined) await deleteSession(db, tokenHash(token));
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/**
 * Where to go after logging in: a path on this server, or the home page.
 * Anything that a browser could read as another host (`//evil`, `/\evil`,
 * an absolute URL) is refused: no open redirect.
 */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.length > 2048) return '/';
  // Browsers treat a backslash as a slash and drop tabs and newlines.
  if (value.includes('\\') || hasControlCharacter(value)) return '/';
  const base = 'http://sightline.invalid';
  const url = new URL(value, base);
  const path = url.pathname + url.search + url.hash;
  // The parser tidies `/.//evil` into `//evil`: check what is returned, too.
  return url.origin === base && !path.startsWith('//') ? path : '/';
}

/** The login page's address, coming back to this request's page. */
export function loginUrl(c: Context): string {
  const url = new URL(c.req.url);
  const back = c.req.method === 'GET' ? url.pathname + url.search : '/';
  return back === '/' ? '/login' : `/login?next=${encodeURIComponent(back)}`;
}

/** Sends visitors without an account to the login page, and back here afterwards. */
export const signedIn: MiddlewareHandler = async (c, next) => {
  if (c.get('user') === undefined) return c.redirect(loginUrl(c), 303);
  await next();
};
