// The engine as `npm start` runs it, on its own thread in the built server:
// killed mid-pass it loses and doubles nothing, a second process takes over
// from a dead one, and the numbers still equal the raw events.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../core/db/connect.js';
import type { NewEvent, Site } from '../../core/db/schema.js';
import { findSite } from '../../core/db/sites.js';
import { type RunningServer, startServer, waitFor } from '../../scripts/server.js';
import { addSite, createTestStore, dialects } from '../../test/store.js';
import { DIMENSIONS } from './dimensions.js';
import { CATCHING_UP_EVENTS, engineLag } from './engine.js';
import { loadReport, type Period, rawReport } from './report.js';

const DAY = Date.parse('2026-05-04T00:00:00Z');

/** `count` events of ~count/4 visitors over three days: page views, engagement and a custom event now and then. */
function manyEvents(count: number): NewEvent[] {
  const events: NewEvent[] = [];
  for (let i = 0; i < count; i++) {
    const visitor = (i * 7919) % Math.ceil(count / 4);
    events.push({
      site_id: 1,
      ts: DAY + ((visitor * 104_729 + i * 13) % (3 * 86_400_000)),
      name: i % 9 === 0 ? 'engagement' : i % 17 === 0 ? 'Signup' : 'pageview',
      url: `https://example.com/p/${(i * 31) % 97}`,
      referrer: null,
      browser: ['Chrome', 'Firefox', 'Safari'][visitor % 3] ?? null,
      ip: null,
      visitor_id: visitor,
      country: ['DE', 'US', 'FR', null][visitor % 4] ?? null,
      source: visitor % 5 === 0 ? 'news.example' : null,
      engaged_ms: i % 9 === 0 ? 5_000 : null,
      props: i % 17 === 0 ? '{"plan":"pro"}' : null,
    });
  }
  return events;
}

async function insertMany(store: Store, events: readonly NewEvent[]): Promise<void> {
  for (let at = 0; at < events.length; at += 1000) {
    await store.db
      .insertInto('events')
      .values(events.slice(at, at + 1000))
      .execute();
  }
}

async function expectEqualToRaw(store: Store): Promise<void> {
  const site = (await findSite(store.db, 1)) as Site;
  const period: Period = { name: 'custom', from: '2026-05-03', to: '2026-05-08', granularity: 'day' };
  const engine = await loadReport(store, site, period, [], 1000);
  const raw = await rawReport(store, site, period, [], 1000);
  expect(engine.totals).toEqual(raw.totals);
  expect(engine.series).toEqual(raw.series);
  for (const dimension of DIMENSIONS) expect(engine.breakdowns[dimension], dimension).toEqual(raw.breakdowns[dimension]);
}

/** The nice value of each thread of a process that still runs (field 19 of /proc/PID/task/TID/stat). */
function threadNiceness(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe.each(dialects)('the engine thread on %s', (dialect) => {
  it('folds a backlog at low priority, then hands over to a thread at normal priority that keeps up', async () => {
    const store = await createTestStore(dialect);
    let server: RunningServer | undefined;
    try {
      await addSite(store.db);
      const events = manyEvents(CATCHING_UP_EVENTS + 5_000);
      await insertMany(store, events);
      server = await startServer(store.url);
      const { pid } = server;
      const output = server.output;
      await waitFor(
        () => output().includes('engine folding a backlog at low priority'),
        20_000,
        () => `no backlog was seen:\n${output()}`,
      );
      // One thread, the engine's, gives way to ingest meanwhile.
      expect(threadNiceness(pid).filter((nice) => nice === 10)).toHaveLength(1);
      await waitFor(
        async () => (await engineLag(store)).events === 0 && threadNiceness(pid).every((nice) => nice === 0),
        120_000,
        () => `the engine did not catch up and hand over:\n${output()}`,
      );
      // The thread that follows folds new events within seconds.
      await insertMany(store, manyEvents(100));
      await waitFor(
        async () => (await engineLag(store)).events === 0,
        10_000,
        () => `new events were not folded:\n${output()}`,
      );
      expect(threadNiceness(pid).every((nice) => nice === 0)).toBe(true);
      expect(output()).not.toContain('analytics engine failed');
    } finally {
      await server?.stop('SIGKILL');
      await store.dispose();
    }
  }, 240_000);

  it('keeps the numbers exact through a kill -9 in the middle of a pass', async () => {
    const store = await createTestStore(dialect);
    const servers: RunningServer[] = [];
    try {
      await addSite(store.db, { timezone: 'Europe/Berlin' });
      const events = manyEvents(dialect === 'sqlite' ? 60_000 : 20_000);
      await insertMany(store, events);
      const first = await startServer(store.url);
      servers.push(first);
      // Killed once it has folded some events and not all.
      await waitFor(
        async () => (await engineLag(store)).events < events.length,
        60_000,
        () => `the engine did not start:\n${first.output()}`,
      );
      expect((await engineLag(store)).events).toBeGreaterThan(0);
      expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      const second = await startServer(store.url);
      servers.push(second);
      await waitFor(
        async () => (await engineLag(store)).events === 0,
        120_000,
        () => `the engine did not catch up:\n${second.output()}`,
      );
      expect(second.output()).not.toContain('analytics engine failed');
      await expectEqualToRaw(store);
    } finally {
      for (const server of servers) await server.stop('SIGKILL');
      await store.dispose();
    }
  }, 240_000);

  it('is taken over within 30 seconds when the process that ran it dies', async () => {
    const store = await createTestStore(dialect);
    const servers: RunningServer[] = [];
    try {
      await addSite(store.db);
      const holder = await startServer(store.url);
      servers.push(holder);
      await insertMany(store, manyEvents(2000).slice(0, 1000));
      await waitFor(
        async () => (await engineLag(store)).events === 0,
        20_000,
        () => `the first events were not folded:\n${holder.output()}`,
      );
      // The first process holds the lease; the second waits for it.
      const standby = await startServer(store.url);
      servers.push(standby);
      await holder.stop('SIGKILL');
      const killedAt = Date.now();
      await insertMany(store, manyEvents(2000).slice(1000));
      await waitFor(
        async () => (await engineLag(store)).events === 0,
        30_000,
        () => `nobody took over within 30 s:\n${standby.output()}`,
      );
      expect(Date.now() - killedAt).toBeLessThan(30_000);
      await expectEqualToRaw(store);
    } finally {
      for (const server of servers) await server.stop('SIGKILL');
      await store.dispose();
    }
  }, 120_000);
});
