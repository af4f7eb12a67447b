/**
 * Login throttling, in memory: failed logins are counted per client address
 * and per account over a sliding window. Past `slowAfter` failures each
 * attempt is answered later; past `refuseAfter` attempts are refused (429)
 * until old failures leave the window. A dashboard process keeps its own
 * counts, which is enough for the one dashboard a site owner runs.
 */

/** How the throttle answers an attempt. */
export type Verdict = { readonly refusedUntil: number } | { readonly delayMs: number };

/** The throttle's knobs; tests shorten them. */
export interface ThrottleOptions {
  readonly windowMs: number;
  readonly slowAfter: number;
  readonly refuseAfter: number;
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
  delayStepMs: 1000,
  maxDelayMs: 5000,
  maxKeys: 100_000,
};

/** Counts failed logins per key: `ip:ADDRESS` and `account:EMAIL`. */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** What to do with an attempt on these keys now: the strictest key decides. */
  verdict(keys: readonly string[], now: number): Verdict {
    let refusedUntil = 0;
    let worst = 0;
    for (const key of keys) {
      const recent = this.recent(key, now);
      worst = Math.max(worst, recent.length);
      if (recent.length >= this.options.refuseAfter) {
        // Allowed again once the count falls below the limit.
        const freedAt = (recent[recent.length - this.options.refuseAfter] ?? now) + this.options.windowMs;
        refusedUntil = Math.max(refusedUntil, freedAt);
      }
    }
    if (refusedUntil > 0) return { refusedUntil };
    const over = worst - this.options.slowAfter + 1;
    return { delayMs: over > 0 ? Math.min(this.options.maxDelayMs, over * this.options.delayStepMs) : 0 };
  }

  /** Records a failed attempt on each key. */
  fail(keys: readonly string[], now: number): void {
    for (const key of keys) {
      const recent = this.recent(key, now);
      recent.push(now);
      this.failures.delete(key); // re-inserted last: the Map's order is the age order
      this.failures.set(key, recent.slice(-this.options.refuseAfter));
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

  /** Forgets the failures of one key: an account after its owner logs in. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => at > now - this.options.windowMs);
  }
}
