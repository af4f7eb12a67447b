// The built collector as a real process under load: what it acknowledged
// must be stored, whether it is stopped politely or killed outright.

import { describe, expect, it } from 'vitest';
import { startLoad } from '../scripts/load.js';
import { startServer, waitFor } from '../scripts/server.js';
import { CHROME } from '../test/ingest.js';
import { addSite, countRows, createTestStore, dialects } from '../test/store.js';

const beacon = (i: number) => JSON.stringify({ s: 1, u: `https://example.com/page/${i % 50}`, r: '' });

describe.each(dialects)('collector process on %s', (dialect) => {
  it.each([
    ['SIGKILL', null, 'SIGKILL'],
    ['SIGTERM', 0, null],
    ['SIGINT', 0, null],
  ] as const)('keeps every acknowledged event through %s', async (signal, code, endSignal) => {
    const store = await createTestStore(dialect);
    try {
      await addSite(store.db);
      const server = await startServer(store.url, 'dist/collector.js', { WRITE_BATCH_DELAY_MS: '5' });
      const load = startLoad(`${server.origin}/api/event`, beacon, { concurrency: 24, maxMs: 30_000, headers: { 'user-agent': CHROME } });
      await waitFor(
        () => (load.counts().statuses[202] ?? 0) >= 300,
        20_000,
        () => `too few acknowledgements: ${JSON.stringify(load.counts())}\n${server.output()}`,
      );
      const exit = await server.stop(signal);
      const counts = await load.stop();
      const acknowledged = counts.statuses[202] ?? 0;
      const stored = await countRows(store.db, 'events');
      expect(exit).toEqual({ code, signal: endSignal });
      expect(acknowledged).toBeGreaterThanOrEqual(300);
      // A batch may commit just before the kill and never be answered: more
      // rows than acknowledgements is fine, fewer would be a loss.
      expect(stored).toBeGreaterThanOrEqual(acknowledged);
      expect(Object.keys(counts.statuses)).toEqual(['202']);
      if (signal !== 'SIGKILL') expect(server.output()).toContain('collector stopped');
    } finally {
      await store.dispose();
    }
  });
});
