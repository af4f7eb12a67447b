import { describe, expect, it } from 'vitest';
import { dialects, useTestStore } from '../test/store.js';
import { LONGEST_CACHED_AGENT } from './agent.js';
import { Salts, VisitorIds, visitorId } from './visitor.js';

const DAY = 24 * 3600 * 1000;
const T0 = Date.UTC(2026, 10, 26, 9, 30);

describe('visitorId', () => {
  const salt = 'c2FsdC1vbmU=';
  it('is stable for one visitor and differs by site, address, User-Agent and salt', () => {
    const id = visitorId(salt, 1, '203.0.113.9', 'UA');
    expect(visitorId(salt, 1, '203.0.113.9', 'UA')).toBe(id);
    const others = [
      visitorId(salt, 2, '203.0.113.9', 'UA'),
      visitorId(salt, 1, '203.0.113.10', 'UA'),
      visitorId(salt, 1, '203.0.113.9', 'UA2'),
      visitorId('c2FsdC10d28=', 1, '203.0.113.9', 'UA'),
    ];
    expect(new Set([id, ...others]).size).toBe(5);
  });

  it('fits in 48 bits, so it is an exact number on both stores', () => {
    const id = visitorId(salt, 9, null, null);
    expect(Number.isSafeInteger(id)).toBe(true);
    expect(id).toBeLessThan(2 ** 48);
  });
});

describe('VisitorIds', () => {
  const salt = 'c2FsdC1vbmU=';
  const other = 'c2FsdC10d28=';

  it('gives the hash of every visitor, from memory or not', () => {
    const ids = new VisitorIds(2);
    const visitors: Array<[number, string | null, string | null]> = [
      [1, '203.0.113.9', 'UA'],
      [2, '203.0.113.9', 'UA'],
      [1, '203.0.113.10', 'UA'],
      [1, null, null],
      [1, '203.0.113.9', 'UA'],
    ];
    // Twice over, with a capacity of two: hits, misses, and starting over when full.
    for (const [site, ip, ua] of [...visitors, ...visitors]) {
      expect(ids.get(salt, site, ip, ua)).toBe(visitorId(salt, site, ip, ua));
    }
    expect(ids.get(other, 1, '203.0.113.9', 'UA')).toBe(visitorId(other, 1, '203.0.113.9', 'UA'));
  });

  it('neither keeps an overlong User-Agent nor forgets its hash, and forgets everyone when told', () => {
    const ids = new VisitorIds();
    const long = 'x'.repeat(LONGEST_CACHED_AGENT + 1);
    expect(ids.get(salt, 1, '203.0.113.9', long)).toBe(visitorId(salt, 1, '203.0.113.9', long));
    expect(ids.size).toBe(0);
    ids.get(salt, 1, '203.0.113.9', 'UA');
    expect(ids.size).toBe(1);
    ids.forget();
    expect(ids.size).toBe(0);
  });

  it('forgets every visitor when the salt changes, and never holds more than its capacity', () => {
    const ids = new VisitorIds(3);
    const sizes: number[] = [];
    for (let i = 0; i < 7; i++) {
      ids.get(salt, 1, `203.0.113.${i}`, i % 2 === 0 ? 'UA' : 'UA2');
      sizes.push(ids.size);
    }
    expect(sizes).toEqual([1, 2, 3, 1, 2, 3, 1]);
    ids.get(other, 1, '203.0.113.1', 'UA');
    expect(ids.size).toBe(1);
  });
});

describe.each(dialects)('Salts on %s', (dialect) => {
  const store = useTestStore(dialect);

  it('makes one random salt per UTC day, shared by every collector', async () => {
    let now = T0;
    const a = new Salts(store().db, () => now);
    const b = new Salts(store().db, () => now);
    const [first, second, fromB] = await Promise.all([a.today(), a.today(), b.today()]);
    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    expect(second).toBe(first);
    expect(fromB).toBe(first);
    now = T0 + DAY;
    const tomorrow = await a.today();
    expect(tomorrow).not.toBe(first);
    expect(await b.today()).toBe(tomorrow);
  });

  it('never keeps a salt more than 48 hours, even one made late in its day or with no traffic after', async () => {
    // Made a minute before midnight: it must still be gone by the end of the next day.
    let now = Date.UTC(2026, 10, 26, 23, 59);
    const salts = new Salts(store().db, () => now);
    await salts.today();
    const madeAt = now;
    now = Date.UTC(2026, 10, 27, 23, 59);
    await salts.purge();
    expect((await store().db.selectFrom('salts').select('day').execute()).map((r) => r.day)).toEqual(['2026-11-26']);
    // No event arrives on the 28th: the minute's purge alone deletes it.
    now = Date.UTC(2026, 10, 28, 0, 1);
    await salts.purge();
    expect(await store().db.selectFrom('salts').selectAll().execute()).toEqual([]);
    expect(now - madeAt).toBeLessThanOrEqual(48 * 3600 * 1000);
  });

  it("never hands yesterday's salt to an event of today", async () => {
    let now = Date.UTC(2026, 10, 26, 23, 59, 59, 999);
    const salts = new Salts(store().db, () => now);
    const late = salts.today();
    now += 1; // midnight, while yesterday's lookup is still running
    const early = salts.today();
    const [yesterday, today] = await Promise.all([late, early]);
    expect(today).not.toBe(yesterday);
    expect(await salts.today()).toBe(today);
  });
});
