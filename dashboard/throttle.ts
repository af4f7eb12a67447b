import { HttpError } from '../core/errors.js';

/**
 * Throttling of guesses, in memory, over a sliding window: failed logins,
 * current-password checks, registrations and unknown API keys. Keys name
 * what they count, by kind (OWASP's advice against lockout):
 *
 * - `pair:ADDRESS ACCOUNT`: one address's failures on one account. Slowed
 *   past `slowAfter`, refused past `refuseAfter`.
 * - `address:ADDRESS`: one address's failures across accounts, refused past
 *   `addressRefuseAfter`: it slows spraying without locking anyone out.
 * - `account:ACCOUNT`: failures on an account from any address. Only
 *   slowed, never refused, so that a stranger cannot lock an owner out: a
 *   login from an address that has not failed is never denied.
 * - any other kind (`register:`, `apikey:`): refused past `refuseAfter`.
 *
 * Addresses are keyed by `throttleAddress`: IPv6 by its /64, which one
 * subscriber holds. A dashboard process keeps its own counts.
 */

/** How the throttle answers an attempt. */
export type Verdict = { readonly refusedUntil: number } | { readonly delayMs: number };

/** The throttle's knobs; tests shorten them. */
export interface ThrottleOptions {
  readonly windowMs: number;
  readonly slowAfter: number;
  readonly refuseAfter: number;
  /** For `address:` keys: failures across accounts before refusing. */
  readonly addressRefuseAfter: number;
  /** Added to the delay for each failure past `slowAfter`, up to `maxDelayMs`. */
  readonly delayStepMs: number;
  readonly maxDelayMs: number;
  /** Most keys remembered; the oldest are forgotten first. */
  readonly maxKeys: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  windowMs: 15 * 60_000,
  slowAfter: 5,
  refuseAfter: 10,
  addressRefuseAfter: 100,
  delayStepMs: 1000,
  maxDelayMs: 5000,
  maxKeys: 100_000,
};

/** Sign-ups: ten an hour from one address, every attempt counted. */
export const REGISTER_THROTTLE: ThrottleOptions = { ...DEFAULT_THROTTLE, windowMs: 60 * 60_000, slowAfter: 10, refuseAfter: 10 };

/** Unknown API keys: twenty a quarter of an hour from one address. */
export const API_KEY_THROTTLE: ThrottleOptions = { ...DEFAULT_THROTTLE, slowAfter: 20, refuseAfter: 20 };

/** Counts failures per key (see the kinds above) and answers attempts. */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** What to do with an attempt on these keys now: the strictest key decides. */
  verdict(keys: readonly string[], now: number): Verdict {
    let refusedUntil = 0;
    let worst = 0;
    for (const key of keys) {
      const recent = this.recent(key, now);
      const limit = this.refuseAfter(key);
      if (!key.startsWith('address:')) worst = Math.max(worst, recent.length);
      if (recent.length >= limit) {
        // Allowed again once the count falls below the limit.
        const freedAt = (recent[recent.length - limit] ?? now) + this.options.windowMs;
        refusedUntil = Math.max(refusedUntil, freedAt);
      }
    }
    if (refusedUntil > 0) return { refusedUntil };
    const over = worst - this.options.slowAfter + 1;
    return { delayMs: over > 0 ? Math.min(this.options.maxDelayMs, over * this.options.delayStepMs) : 0 };
  }

  private refuseAfter(key: string): number {
    if (key.startsWith('account:')) return Number.POSITIVE_INFINITY;
    return key.startsWith('address:') ? this.options.addressRefuseAfter : this.options.refuseAfter;
  }

  /** Records a failed attempt on each key. */
  fail(keys: readonly string[], now: number): void {
    for (const key of keys) {
      const recent = this.recent(key, now);
      recent.push(now);
      this.failures.delete(key); // re-inserted last: the Map's order is the age order
      // Enough to decide on: the most a limit or the delay looks back.
      this.failures.set(key, recent.slice(-Math.max(this.options.refuseAfter, this.options.addressRefuseAfter)));
    }
    while (this.failures.size > this.options.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }

  /** Takes back one failure recorded at `at`: an attempt counted before its password was checked, which was right. */
  undo(key: string, at: number): void {
    const recent = this.failures.get(key);
    const index = recent?.lastIndexOf(at) ?? -1;
    if (recent !== undefined && index !== -1) recent.splice(index, 1);
  }

  /** Forgets the failures of one key: an account, or a pair, after its owner logs in. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => at > now - this.options.windowMs);
  }
}

/** The keys of a login or password check: the pair, the address across accounts, the account. */
export function loginKeys(address: string, account: string): string[] {
  return [`pair:${address} ${account}`, `address:${address}`, `account:${account}`];
}

/** The 429 for a refused attempt: when to retry, in a header and in words. */
export function tooMany(what: string, refusedUntil: number, now: number): HttpError {
  const seconds = Math.ceil((refusedUntil - now) / 1000);
  const at = new Date(refusedUntil).toISOString().slice(11, 16);
  return new HttpError(429, `Too many ${what}. Try again in ${Math.ceil(seconds / 60)} minutes, after ${at} UTC.`, undefined, {
    'Retry-After': String(seconds),
  });
}
