// PostgreSQL goes away under load and comes back: the collector answers 503
// while it is down, keeps everything it acknowledged, and recovers by itself.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadTestSettings } from '../core/config.js';
import { startLoad } from '../scripts/load.js';
import { startServer, waitFor } from '../scripts/server.js';
import { CHROME } from '../test/ingest.js';
import { addSite, countRows, createTestStore } from '../test/store.js';

const settings = loadTestSettings();
const beacon = (i: number) => JSON.stringify({ s: 1, u: `https://example.com/page/${i % 50}` });

const skip = settings.postgresUrl === undefined || settings.postgresCluster === undefined;
if (skip && settings.requirePostgres)
  throw new Error('REQUIRE_POSTGRES is set but TEST_POSTGRES_CLUSTER is not: the outage test cannot run');

function cluster(action: 'stop' | 'start'): void {
  const [version = '', name = ''] = (settings.postgresCluster ?? '').split('/');
  execFileSync('pg_ctlcluster', [version, name, action, ...(action === 'stop' ? ['-m', 'fast'] : [])], { stdio: 'inherit' });
}

describe.skipIf(skip)('collector through a restart of the cluster on postgres', () => {
  it('answers 503 while the database is down, loses nothing it acknowledged, and recovers by itself', async () => {
    const store = await createTestStore('postgres');
    let down = false;
    try {
      await addSite(store.db);
      const server = await startServer(store.url, 'dist/collector.js', { WRITE_BATCH_DELAY_MS: '5' });
      const load = startLoad(`${server.origin}/api/event`, beacon, { concurrency: 16, maxMs: 90_000, headers: { 'user-agent': CHROME } });
      const acked = () => load.counts().statuses[202] ?? 0;
      await waitFor(
        () => acked() >= 200,
        20_000,
        () => `no load: ${JSON.stringify(load.counts())}`,
      );

      cluster('stop');
      down = true;
      await waitFor(
        () => (load.counts().statuses[503] ?? 0) >= 20,
        20_000,
        () => `no 503 while down: ${JSON.stringify(load.counts())}`,
      );
      const ackedWhileDown = acked();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      cluster('start');
      down = false;

      await waitFor(
        () => acked() >= ackedWhileDown + 200,
        30_000,
        () => `did not recover: ${JSON.stringify(load.counts())}\n${server.output().slice(-2000)}`,
      );
      const counts = await load.stop();
      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      const stored = await countRows(store.db, 'events');
      expect(stored).toBeGreaterThanOrEqual(counts.statuses[202] ?? 0);
      // Only "stored" and "try again": no 500, and the process never went away.
      expect(Object.keys(counts.statuses).sort()).toEqual(['202', '503']);
      expect(counts.failed).toBe(0);
      expect(server.output()).toContain('event writer recovered');
    } finally {
      if (down) cluster('start');
      await store.dispose();
    }
  });
});
