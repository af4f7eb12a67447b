/**
 * What the sign-in routes (sign-in.tsx) and the account page
 * (account-page.tsx) share: the settings, the clock, and the throttle that
 * guards every password.
 */
import type { Context } from 'hono';
import type { Config } from '../core/config.js';
import type { Db } from '../core/db/schema.js';
import { clientAddress, socketAddress, throttleAddress } from '../core/ip.js';
import { secureRequest } from './auth.js';
import { type LoginThrottle, tooMany } from './throttle.js';

/** What the account routes need. */
export interface AccountDeps {
  readonly db: Db;
  readonly config: Config;
  readonly throttle: LoginThrottle;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the sign-in and account routes share. */
export interface AccountContext {
  readonly db: Db;
  readonly config: Config;
  readonly registration: Config['accounts']['registration'];
  readonly now: () => number;
  /** Whether this request's cookies must be Secure. */
  readonly secure: (c: Context) => boolean;
  /** The address that throttles count this request by. */
  readonly addressOf: (c: Context) => string;
  /**
   * Answers 429 if `keys` are refused, else waits out their delay. The
   * attempt is counted as a failure before it is checked, so that many sent
   * at once are throttled like many sent one by one; `passed` takes it back.
   */
  readonly guard: (keys: readonly string[], what: string, on?: LoginThrottle) => Promise<number>;
  /** A right password: the address keeps its count less this attempt; the pair and the account start again. */
  readonly passed: (keys: readonly string[], attempt: number) => void;
}

/** What the account routes share, made once from their dependencies. */
export function accountContext(deps: AccountDeps): AccountContext {
  const { config, throttle } = deps;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? sleepFor;
  return {
    db: deps.db,
    config,
    registration: config.accounts.registration,
    now,
    secure: (c) => secureRequest(c, config.accounts.secureCookies),
    addressOf: (c) => throttleAddress(clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), config.ingest.trustedProxies)),
    guard: async (keys, what, on = throttle) => {
      const attempt = now();
      const verdict = on.verdict(keys, attempt);
      if ('refusedUntil' in verdict) throw tooMany(what, verdict.refusedUntil, attempt);
      on.fail(keys, attempt);
      if (verdict.delayMs > 0) await sleep(verdict.delayMs);
      return attempt;
    },
    passed: (keys, attempt) => {
      for (const key of keys) {
        if (key.startsWith('address:')) throttle.undo(key, attempt);
        else throttle.forget(key);
      }
    },
  };
}
