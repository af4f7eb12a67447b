import { describe, expect, it } from 'vitest';
import { RecentCache } from './recent.js';

describe('RecentCache', () => {
  const counting = () => {
    const made: string[] = [];
    const make = (key: string) => {
      made.push(key);
      return key.toUpperCase();
    };
    return { made, make };
  };

  it('computes a value once, then serves it from the cache, undefined included', () => {
    const cache = new RecentCache<string, string | undefined>(2);
    let calls = 0;
    const make = (key: string) => {
      calls++;
      return key === 'none' ? undefined : key;
    };
    expect(cache.get('abc', make)).toBe('abc');
    expect(cache.get('abc', make)).toBe('abc');
    expect(cache.get('none', make)).toBeUndefined();
    expect(cache.get('none', make)).toBeUndefined();
    expect(calls).toBe(2);
  });

  it('keeps a key used within the last `capacity` new keys, and drops one that was not', () => {
    const cache = new RecentCache<string, string>(2);
    const { made, make } = counting();
    cache.get('a', make);
    cache.get('b', make);
    cache.get('c', make); // a and b are now the older generation
    cache.get('a', make); // found there: moves to the newer, with c
    cache.get('d', make); // c and a become the older; b is dropped
    cache.get('a', make);
    cache.get('c', make);
    cache.get('b', make); // made again
    expect(made).toEqual(['a', 'b', 'c', 'd', 'b']);
  });

  it('never holds more than twice its capacity, and forgets everything when cleared', () => {
    const cache = new RecentCache<number, number>(3);
    for (let i = 0; i < 100; i++) cache.get(i, (n) => n * 2);
    expect(cache.size).toBeLessThanOrEqual(6);
    expect(cache.get(99, () => -1)).toBe(198);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get(99, () => -1)).toBe(-1);
  });
});
