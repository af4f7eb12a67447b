import { describe, expect, it } from 'vitest';
import { Lru } from './lru.js';

describe('Lru', () => {
  it('computes a value once, then serves it from the cache', () => {
    const cache = new Lru<string, number>(2);
    let calls = 0;
    const make = (key: string) => {
      calls++;
      return key.length;
    };
    expect(cache.get('abc', make)).toBe(3);
    expect(cache.get('abc', make)).toBe(3);
    expect(calls).toBe(1);
  });

  it('evicts the least recently used key when full', () => {
    const cache = new Lru<string, string>(2);
    const made: string[] = [];
    const make = (key: string) => {
      made.push(key);
      return key.toUpperCase();
    };
    cache.get('a', make);
    cache.get('b', make);
    cache.get('a', make); // a is now the most recent
    cache.get('c', make); // evicts b
    cache.get('a', make);
    cache.get('b', make); // made again
    expect(made).toEqual(['a', 'b', 'c', 'b']);
    expect(cache.size).toBe(2);
  });
});
