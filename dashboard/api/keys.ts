/**
 * API keys: which account a request is, with unknown keys throttled per
 * address (as passwords are) and each key held to a rate a minute.
 */
import type { MiddlewareHandler } from 'hono';
import type { AddressList } from '../../core/cidr.js';
import { findApiKey, touchApiKey } from '../../core/db/accounts.js';
import type { ApiKey, Db, User } from '../../core/db/schema.js';
import { HttpError } from '../../core/errors.js';
import { clientAddress, socketAddress, throttleAddress } from '../../core/ip.js';
import { tokenHash } from '../auth.js';
import { API_KEY_THROTTLE, LoginThrottle, tooMany } from '../throttle.js';

/** Requests per key per minute, unless a test says otherwise. */
const RATE_LIMIT = 600;
const WINDOW_MS = 60_000;
// Writing last_used_at on every request would turn each read into a write.
const TOUCH_EVERY_MS = 60_000;

declare module 'hono' {
  interface ContextVariableMap {
    /** The account an API key belongs to. */
    apiUser: User;
  }
}

/** Sets `c.var.apiUser` from `Authorization: Bearer KEY`, or answers 401 or 429. */
export function apiKeys(db: Db, trustedProxies: AddressList, limit = RATE_LIMIT): MiddlewareHandler {
  const unknownKeys = new LoginThrottle(API_KEY_THROTTLE);
  const windows = new Map<number, { start: number; count: number }>();

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

  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) throw new HttpError(401, 'Send an API key: Authorization: Bearer KEY (make one under Account).');
    // Guessing keys is throttled per address, as guessing passwords is.
    const address = throttleAddress(clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), trustedProxies));
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
  };
}
