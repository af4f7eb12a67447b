import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { addSite, countRows, createTestStore } from '../../test/store.js';
import { batchWriter } from './event-batch.js';
import type { NewEvent } from './schema.js';

const event: NewEvent = { site_id: 1, ts: 1, name: 'pageview', url: '/', referrer: null, browser: null, ip: null };

describe('the SQLite batch writer', () => {
  // The engine's thread writes on a connection of its own. While it holds
  // the lock, the event loop must go on taking requests in.
  it('waits for another connection’s write lock without blocking the event loop', async () => {
    const store = await createTestStore('sqlite');
    const other = new SQLite(store.url.slice('sqlite:'.length));
    try {
      await addSite(store.db);
      other.exec('begin immediate');
      const written = batchWriter(store)([event, event], []);
      let turns = 0;
      const timer = setInterval(() => turns++, 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await countRows(store.db, 'events')).toBe(0);
      other.exec('commit');
      await written;
      clearInterval(timer);
      // A synchronous busy wait would have held every timer for the 100 ms.
      expect(turns).toBeGreaterThan(20);
      expect(await countRows(store.db, 'events')).toBe(2);
    } finally {
      other.close();
      await store.dispose();
    }
  });
});
