import { describe, expect, it } from 'vitest';
import { DEFAULT_THROTTLE, LoginThrottle, loginKeys } from './throttle.js';

const MIN = 60_000;

describe('LoginThrottle', () => {
  it('lets the first failures through, then slows, then refuses until old failures leave the window', () => {
    const throttle = new LoginThrottle();
    const keys = loginKeys('203.0.113.9', 'a@example.com');
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

  it('slows an account attacked from many addresses but refuses none of them; refuses an address trying many accounts', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 30; i++) throttle.fail(loginKeys(`198.51.100.${i}`, 'victim@example.com'), 0);
    // A new address is slowed on that account, never refused: the owner can still log in.
    expect(throttle.verdict(loginKeys('192.0.2.1', 'victim@example.com'), 1)).toEqual({ delayMs: 5000 });
    for (let i = 0; i < 100; i++) throttle.fail(loginKeys('192.0.2.66', `user${i}@example.com`), 0);
    expect(throttle.verdict(loginKeys('192.0.2.66', 'new@example.com'), 1)).toHaveProperty('refusedUntil');
    expect(throttle.verdict(loginKeys('192.0.2.1', 'new@example.com'), 1)).toEqual({ delayMs: 0 });
  });

  it('refuses one address on one account after refuseAfter failures, and no other address', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 10; i++) throttle.fail(loginKeys('198.51.100.7', 'a@example.com'), 0);
    expect(throttle.verdict(loginKeys('198.51.100.7', 'a@example.com'), 1)).toHaveProperty('refusedUntil');
    expect(throttle.verdict(loginKeys('198.51.100.8', 'a@example.com'), 1)).not.toHaveProperty('refusedUntil');
  });

  it('forgets an account once its owner logs in, but not the address', () => {
    const throttle = new LoginThrottle();
    const keys = loginKeys('203.0.113.9', 'a@example.com');
    for (let i = 0; i < 7; i++) throttle.fail(keys, 0);
    throttle.forget('account:a@example.com');
    throttle.forget('pair:203.0.113.9 a@example.com');
    expect(throttle.verdict(keys, 1)).toEqual({ delayMs: 0 });
    expect(throttle.verdict(['address:203.0.113.9'], 1)).toEqual({ delayMs: 0 });
    expect(throttle.verdict(['register:203.0.113.9'], 1)).toEqual({ delayMs: 0 });
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
