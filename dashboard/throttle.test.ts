import { describe, expect, it } from 'vitest';
import { DEFAULT_THROTTLE, LoginThrottle } from './throttle.js';

const MIN = 60_000;

describe('LoginThrottle', () => {
  it('lets the first failures through, then slows, then refuses until old failures leave the window', () => {
    const throttle = new LoginThrottle();
    const keys = ['ip:203.0.113.9', 'account:a@example.com'];
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const verdict = throttle.verdict(keys, i * 1000);
      delays.push('delayMs' in verdict ? verdict.delayMs : -1);
      throttle.fail(keys, i * 1000);
    }
    expect(delays).toEqual([0, 0, 0, 0, 0, 1000, 2000, 3000, 4000, 5000]);
    // The tenth failure was at 9 s; the first leaves the window at 15 min.
    expect(throttle.verdict(keys, 10_000)).toEqual({ refusedUntil: 15 * MIN });
    expect(throttle.verdict(keys, 15 * MIN + 1)).toEqual({ delayMs: 5000 });
    expect(throttle.verdict(keys, 16 * MIN)).toEqual({ delayMs: 0 });
  });

  it('refuses an account attacked from many addresses, and an address trying many accounts', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 10; i++) throttle.fail([`ip:198.51.100.${i}`, 'account:victim@example.com'], 0);
    expect(throttle.verdict(['ip:192.0.2.1', 'account:victim@example.com'], 1)).toHaveProperty('refusedUntil');
    for (let i = 0; i < 10; i++) throttle.fail(['ip:192.0.2.66', `account:user${i}@example.com`], 0);
    expect(throttle.verdict(['ip:192.0.2.66', 'account:new@example.com'], 1)).toHaveProperty('refusedUntil');
    expect(throttle.verdict(['ip:192.0.2.1', 'account:new@example.com'], 1)).toEqual({ delayMs: 0 });
  });

  it('forgets an account once its owner logs in, but not the address', () => {
    const throttle = new LoginThrottle();
    const keys = ['ip:203.0.113.9', 'account:a@example.com'];
    for (let i = 0; i < 7; i++) throttle.fail(keys, 0);
    throttle.forget('account:a@example.com');
    expect(throttle.verdict(['account:a@example.com'], 1)).toEqual({ delayMs: 0 });
    expect(throttle.verdict(['ip:203.0.113.9'], 1)).toEqual({ delayMs: 3000 });
  });

  it('remembers at most maxKeys keys, forgetting the oldest', () => {
    const throttle = new LoginThrottle({ ...DEFAULT_THROTTLE, maxKeys: 2, slowAfter: 1 });
    throttle.fail(['a'], 0);
    throttle.fail(['b'], 0);
    throttle.fail(['c'], 0);
    expect(throttle.verdict(['a'], 1)).toEqual({ delayMs: 0 });
    expect(throttle.verdict(['c'], 1)).toEqual({ delayMs: 1000 });
  });
});
