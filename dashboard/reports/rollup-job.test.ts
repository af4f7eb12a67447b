import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../core/config.js';
import { dialects, useTestStore } from '../../test/store.js';
import { LEASE_MS, leaseFor } from './rollup-job.js';

describe.each(dialects)("the engine's lease on %s", (dialect) => {
  const store = useTestStore(dialect);
  const lease = () => leaseFor(parseDatabaseUrl('DATABASE_URL', store().url), store());

  it('lets one process run the engine at a time, and the next one in when it lets go', async () => {
    const [a, b] = [lease(), lease()];
    try {
      expect(await a.hold()).toBe(true);
      expect(await b.hold()).toBe(false);
      // Renewing is holding again.
      expect(await a.hold()).toBe(true);
      expect(await b.hold()).toBe(false);
      await a.release();
      expect(await b.hold()).toBe(true);
      expect(await a.hold()).toBe(false);
    } finally {
      await a.release();
      await b.release();
    }
  });

  it.runIf(dialect === 'sqlite')('passes to another process once the holder stops renewing it', async () => {
    const [a, b] = [lease(), lease()];
    expect(await a.hold()).toBe(true);
    // As if LEASE_MS had passed since a last renewed it.
    await store()
      .db.updateTable('engine_lease')
      .set({ expires_at: Date.now() - 1 })
      .execute();
    expect(LEASE_MS).toBeLessThanOrEqual(25_000);
    expect(await b.hold()).toBe(true);
    expect(await a.hold()).toBe(false);
  });
});
