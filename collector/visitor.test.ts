import { describe, expect, it } from 'vitest';
import { dialects, useTestStore } from './db/testing.js';
import { SALT_LIFETIME_MS, Salts, visitorId } from './visitor.js';

const DAY = 24 * 3600 * 1000;
const T0 = Date.UTC(2026, 10, 26, 9, 30);

describe('visitorId', () => {
  const salt = Buffer.alloc(32, 7);
  it('is stable for one visitor and differs by site, address, User-Agent and salt', () => {
    const id = visitorId(salt, 1, '203.0.113.9', 'UA');
    expect(visitorId(salt, 1, '203.0.113.9', 'UA')).toBe(id);
    const others = [
      visitorId(salt, 2, '203.0.113.9', 'UA'),
      visitorId(salt, 1, '203.0.113.10', 'UA'),
      visitorId(salt, 1, '203.0.113.9', 'UA2'),
      visitorId(Buffer.alloc(32, 8), 1, '203.0.113.9', 'UA'),
    ];
    expect(new Set([id, ...others]).size).toBe(5);
  });

  it('fits in 48 bits, so it is an exact number on both stores', () => {
    const id = visitorId(Buffer.alloc(32, 1), 9, null, null);
    expect(Number.isSafeInteger(id)).toBe(true);
    expect(id).toBeLessThan(2 ** 48);
  });
});

describe.each(dialects)('Salts on %s', (dialect) => {
  const store = useTestStore(dialect);

  it('makes one random salt per UTC day, shared by every collector', async () => {
    let now = T0;
    const a = new Salts(store().db, () => now);
    const b = new Salts(store().db, () => now);
    const [first, second, fromB] = await Promise.all([a.today(), a.today(), b.today()]);
    expect(first).toHaveLength(32);
    expect(second.equals(first)).toBe(true);
    expect(fromB.equals(first)).toBe(true);
    now = T0 + DAY;
    const tomorrow = await a.today();
    expect(tomorrow.equals(first)).toBe(false);
    expect((await b.today()).equals(tomorrow)).toBe(true);
  });

  it('deletes salts 48 hours after they were made', async () => {
    let now = T0;
    const salts = new Salts(store().db, () => now);
    for (let day = 0; day < 4; day++) {
      now = T0 + day * DAY;
      await salts.today();
    }
    const days = await store().db.selectFrom('salts').select(['day', 'created_at']).orderBy('day').execute();
    expect(days.map((d) => d.day)).toEqual(['2026-11-27', '2026-11-28', '2026-11-29']);
    for (const { created_at } of days) expect(now - created_at).toBeLessThanOrEqual(SALT_LIFETIME_MS);
  });
});
