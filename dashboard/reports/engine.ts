/**
 * The analytics engine: folds the events committed since its durable
 * position into the visits table and the roll-ups, a chunk at a time. The
 * work of a pass grows with the events it folds, not with the day or the
 * period: each event's visitor-day is loaded (its few stored visits), the
 * new events are folded into it (aggregate.ts, the definitions), and what
 * that visitor's share of the day's sums became, less what it was, is
 * added to the roll-ups. A chunk's writes and its new position commit in
 * one transaction that first checks the position it started from, so a
 * crash or a second engine can neither skip nor double-count an event.
 *
 * This module runs the chunks; engine-plan.ts works out what a chunk
 * changes, and engine-commit.ts writes it.
 */
import { sql } from 'kysely';
import type { Store } from '../../core/db/connect.js';
import { engineState } from '../../core/db/engine-state.js';
import { committedHorizon } from '../../core/db/horizon.js';
import { type EngineEvent, readEventsAfter } from '../../core/db/report-events.js';
import { inTransaction, type WriteSession } from '../../core/db/write-session.js';
import { commit } from './engine-commit.js';
import { planChunk } from './engine-plan.js';
import { recentFor } from './engine-recent.js';

/**
 * A backlog of more unfolded events than this (a minute of heavy traffic) is
 * a catch-up, as after a fresh install of a large store: the report says
 * so, and the engine's thread gives way to ingest until it is done.
 */
export const CATCHING_UP_EVENTS = 50_000;

/** Events folded per transaction: bounds the memory and the time a chunk holds SQLite's write lock. */
export const CHUNK_EVENTS = 2000;

/** Another engine, or a reset of a site, moved the state on: the chunk is dropped and done again. */
export class EngineConflict extends Error {}

/** What one call of `runEngine` did. */
export interface EngineProgress {
  /** Events folded. */
  folded: number;
  /** Events committed but not folded yet, when it stopped (an estimate by ids). */
  behind: number;
}

/**
 * Folds committed events until none are left or `budget` events were
 * folded, `chunk` events a transaction, yielding between chunks.
 */
export async function runEngine(store: Store, budget = Number.POSITIVE_INFINITY, chunk = CHUNK_EVENTS): Promise<EngineProgress> {
  let folded = 0;
  for (;;) {
    const step = await foldChunk(store, chunk);
    folded += step.folded;
    if (step.done || folded >= budget) return { folded, behind: step.behind };
    // Let other work on this thread (a lease renewal, a stop) run between chunks.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** What one chunk did. */
interface ChunkProgress {
  folded: number;
  done: boolean;
  behind: number;
}

/** One chunk: a site's reset, a rebuilding site's events, or the next events of all the others. */
async function foldChunk(store: Store, chunk: number): Promise<ChunkProgress> {
  const { db } = store;
  const state = await engineState(db);
  const rebuilds = await db.selectFrom('engine_rebuilds').select(['site_id', 'position']).orderBy('site_id').execute();
  const reset = rebuilds.find((r) => Number(r.position) < 0);
  if (reset !== undefined) {
    await resetSite(store, Number(reset.site_id), state.version);
    return { folded: 0, done: false, behind: 1 };
  }
  const zones = new Map((await db.selectFrom('sites').select(['id', 'timezone']).execute()).map((s) => [Number(s.id), s.timezone]));
  const rebuilding = new Map(rebuilds.map((r) => [Number(r.site_id), Number(r.position)]));

  const horizon = await committedHorizon(db);
  if (state.position < horizon) return foldNewEvents(store, state, horizon, zones, rebuilding, chunk);
  const [first] = rebuilding;
  if (first !== undefined) return foldRebuild(store, state, first[0], first[1], zones, chunk);
  return { folded: 0, done: true, behind: 0 };
}

/** Folds the next events up to `horizon`, of every site but those being rebuilt, and moves the engine's position. */
async function foldNewEvents(
  store: Store,
  state: { position: number; version: number },
  horizon: number,
  zones: ReadonlyMap<number, string>,
  rebuilding: ReadonlyMap<number, number>,
  chunk: number,
): Promise<ChunkProgress> {
  const events = await readEventsAfter(store.db, state.position, horizon, chunk);
  const end = events.length === chunk ? (events.at(-1) as EngineEvent).id : horizon;
  // A rebuilding site's events are folded by its own position (foldRebuild).
  const mine = events.filter((e) => zones.has(e.site_id) && !rebuilding.has(e.site_id));
  const recent = recentFor(store, state);
  const plan = await planChunk(store, mine, zones, end, recent);
  try {
    await commit(store, plan, async (session) => {
      const moved = await session.run('update engine_state set position = ? where name = ? and position = ? and version = ?', [
        end,
        'events',
        state.position,
        state.version,
      ]);
      if (moved.changes !== 1) throw new EngineConflict('the engine state moved meanwhile');
    });
  } catch (error) {
    // The plan changed the remembered visits in place: they are not what is stored.
    recent.clear();
    throw error;
  }
  recent.committed(plan.visitorDays, end);
  return { folded: mine.length, done: false, behind: horizon - end };
}

/** Folds a rebuilding site's next events, up to the engine's position, and moves the site's own position. */
async function foldRebuild(
  store: Store,
  state: { position: number; version: number },
  siteId: number,
  position: number,
  zones: ReadonlyMap<number, string>,
  chunk: number,
): Promise<ChunkProgress> {
  const events = await readEventsAfter(store.db, position, state.position, chunk, siteId);
  const done = events.length < chunk;
  const end = done ? state.position : (events.at(-1) as EngineEvent).id;
  const plan = await planChunk(store, events, zones, end);
  await commit(store, plan, async (session) => {
    await checkVersion(session, state.version);
    const moved = done
      ? await session.run('delete from engine_rebuilds where site_id = ? and position = ?', [siteId, position])
      : await session.run('update engine_rebuilds set position = ? where site_id = ? and position = ?', [end, siteId, position]);
    if (moved.changes !== 1) throw new EngineConflict('the rebuild moved meanwhile');
  });
  return { folded: events.length, done: false, behind: state.position - end };
}

async function checkVersion(session: WriteSession, version: number): Promise<void> {
  const same = await session.run('update engine_state set version = version where name = ? and version = ?', ['events', version]);
  if (same.changes !== 1) throw new EngineConflict('derived data was reset meanwhile');
}

/** Clears a site's visits and roll-ups before it is folded anew from its first event. */
async function resetSite(store: Store, siteId: number, version: number): Promise<void> {
  await inTransaction(store, async (session) => {
    await checkVersion(session, version);
    for (const table of ['visits', 'engine_dropped', 'rollup_days', 'rollup_hours', 'rollup_rows', 'rollup_block_rows', 'rollup_blocks']) {
      await session.run(`delete from ${table} where site_id = ?`, [siteId]);
    }
    await session.run('update engine_rebuilds set position = 0 where site_id = ?', [siteId]);
  });
}

/**
 * Starts a site's visits and roll-ups anew, setting its time zone first
 * when given: the engine clears them and folds the site's events again
 * from the first. One transaction, so that a chunk folded in the old zone
 * cannot land after it (the engine checks the version this bumps).
 */
export async function rebuildSite(store: Store, siteId: number, timezone?: string): Promise<void> {
  const statements: Array<[string, unknown[]]> = [
    ['update engine_state set version = version + 1 where name = ?', ['events']],
    ['insert into engine_rebuilds (site_id, position) values (?, -1) on conflict (site_id) do update set position = -1', [siteId]],
  ];
  if (timezone !== undefined) statements.unshift(['update sites set timezone = ? where id = ?', [timezone, siteId]]);
  const sqlite = store.sqlite;
  if (sqlite !== undefined) {
    // The dashboard's connection is the collector's too: one synchronous
    // transaction, so that no batch of events can run inside it.
    sqlite
      .transaction(() => {
        for (const [text, params] of statements) sqlite.prepare(text).run(...params);
      })
      .immediate();
    return;
  }
  await inTransaction(store, async (session) => {
    for (const [text, params] of statements) await session.run(text, params);
  });
}

/** How far the engine is behind: committed events not yet folded, overall and per rebuilding site. */
export async function engineLag(store: Store): Promise<{ events: number; rebuilding: Set<number> }> {
  const state = await engineState(store.db);
  const top = await sql<{ id: number | null }>`select max(id) as id from events`.execute(store.db);
  const rebuilds = await store.db.selectFrom('engine_rebuilds').select('site_id').execute();
  return {
    events: Math.max(0, Number(top.rows[0]?.id ?? 0) - state.position),
    rebuilding: new Set(rebuilds.map((r) => Number(r.site_id))),
  };
}
