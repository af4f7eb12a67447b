/**
 * The analytics engine's storage: visits with what each viewed, did and
 * when, the engine's durable position, and the sessions it writes through.
 * What a visit is, and how events fold into one, is defined in
 * dashboard/reports/aggregate.ts; this module only stores and loads it.
 */
import type BetterSqlite from 'better-sqlite3';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Store } from './connect.js';
import { REPORT_EVENT_COLUMNS, type ReportEvent } from './rollups.js';
import { type Database, type Db, type NewVisit, VISIT_ATTRIBUTES, type VisitAttributes } from './schema.js';

/** A visit as the report counts it: stored in `visits` and its child tables. */
export interface VisitState {
  /** `v` and the visitor id, or `e` and the event id for an event stored without one. */
  visitor: string;
  start: number;
  /** The last event's time, engagement included: the next event more than 30 minutes later starts a new visit. */
  end: number;
  /** The last page view's time. */
  lastView: number | undefined;
  attributes: VisitAttributes;
  pageviews: number;
  custom: number;
  duration: number;
  entry: string | undefined;
  exit: string | undefined;
  /** Per page: views and engaged time. */
  pages: Map<string, { views: number; engaged: number }>;
  /** Per custom event name: how many. */
  named: Map<string, number>;
  /** Per property, as JSON of [event name, key, value]: how many events had it. */
  props: Map<string, number>;
  /** Per hour with events (its first instant, from the local midnight): page views. */
  hours: Map<number, number>;
}

/** A stored visit: its row id, day and visitor number beside its state. */
export interface StoredVisit extends VisitState {
  id: number;
  day: string;
  siteId: number;
}

/** An event as the engine reads it: the report's columns and its site. */
export type EngineEvent = ReportEvent & { site_id: number };

/** The visitor as `visits.visitor` stores it: the id, or minus the event id for an event without one. */
export function visitorNumber(visitor: string): number {
  return visitor.startsWith('v') ? Number(visitor.slice(1)) : -Number(visitor.slice(1));
}

/** The engine's position and the version of derived data it was read at. */
export async function engineState(db: Kysely<Database>): Promise<{ position: number; version: number }> {
  const row = await db.selectFrom('engine_state').select(['position', 'version']).where('name', '=', 'events').executeTakeFirstOrThrow();
  return { position: Number(row.position), version: Number(row.version) };
}

/** Events with ids in (after, upTo], oldest first, at most `limit`; of one site when `siteId` is given. */
export async function readEventsAfter(
  db: Kysely<Database>,
  after: number,
  upTo: number,
  limit: number,
  siteId?: number,
): Promise<EngineEvent[]> {
  let query = db
    .selectFrom('events')
    .select([...REPORT_EVENT_COLUMNS, 'site_id'])
    .where('id', '>', after)
    .where('id', '<=', upTo);
  if (siteId !== undefined) query = query.where('site_id', '=', siteId);
  return query.orderBy('id').limit(limit).execute();
}

/**
 * The events of these visitors in [from, to) with ids up to `upTo`, by
 * visitor, time and id: for folding visitor-days anew. It reads the whole
 * span through events (site_id, ts, id), as an index on visitors would
 * cost every write; the engine needs it only for events that arrive after
 * a later one of the same visitor.
 */
export async function readVisitorDays(
  db: Kysely<Database>,
  siteId: number,
  visitorIds: readonly number[],
  from: number,
  to: number,
  upTo: number,
): Promise<ReportEvent[]> {
  return db
    .selectFrom('events')
    .select(REPORT_EVENT_COLUMNS)
    .where('site_id', '=', siteId)
    .where('ts', '>=', from)
    .where('ts', '<', to)
    .where('id', '<=', upTo)
    .where('visitor_id', 'in', visitorIds)
    .orderBy('visitor_id')
    .orderBy('ts')
    .orderBy('id')
    .execute();
}

/** The engagement the engine dropped for these visitors of a site in [from, to) (see `engine_dropped`). */
export async function droppedEngagementOf(
  db: Kysely<Database>,
  siteId: number,
  visitorIds: readonly number[],
  from: number,
  to: number,
): Promise<Array<{ visitor_id: number; ts: number }>> {
  const rows = await db
    .selectFrom('engine_dropped')
    .select(['visitor_id', 'ts'])
    .where('site_id', '=', siteId)
    .where('visitor_id', 'in', visitorIds)
    .where('ts', '>=', from)
    .where('ts', '<', to)
    .execute();
  return rows.map((row) => ({ visitor_id: Number(row.visitor_id), ts: Number(row.ts) }));
}

/** The stored visits of these visitors on these days of one site, each visitor-day's in time order. */
export async function loadVisits(
  db: Kysely<Database>,
  siteId: number,
  days: readonly string[],
  visitors: readonly number[],
): Promise<StoredVisit[]> {
  if (days.length === 0 || visitors.length === 0) return [];
  const rows = await db
    .selectFrom('visits')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('day', 'in', days)
    .where('visitor', 'in', visitors)
    .orderBy('start_ts')
    .orderBy('id')
    .execute();
  if (rows.length === 0) return [];
  const byId = new Map<number, StoredVisit>();
  for (const row of rows) {
    const visitor = Number(row.visitor);
    byId.set(Number(row.id), {
      id: Number(row.id),
      siteId,
      day: row.day,
      visitor: visitor < 0 ? `e${-visitor}` : `v${visitor}`,
      start: Number(row.start_ts),
      end: Number(row.end_ts),
      lastView: row.last_view_ts === null ? undefined : Number(row.last_view_ts),
      attributes: {
        source: row.source,
        utm_source: row.utm_source,
        utm_medium: row.utm_medium,
        utm_campaign: row.utm_campaign,
        utm_term: row.utm_term,
        utm_content: row.utm_content,
        country: row.country,
        region: row.region,
        city: row.city,
        browser: row.browser,
        browser_version: row.browser_version,
        os: row.os,
        device: row.device,
      },
      pageviews: Number(row.pageviews),
      custom: Number(row.events),
      duration: Number(row.duration_ms),
      entry: row.entry_page ?? undefined,
      exit: row.exit_page ?? undefined,
      pages: new Map(),
      named: new Map(),
      props: new Map(),
      hours: new Map(),
    });
  }
  const ids = [...byId.keys()];
  const visit = (id: number | string) => byId.get(Number(id)) as StoredVisit;
  for (let start = 0; start < ids.length; start += 5000) {
    const some = ids.slice(start, start + 5000);
    const [pages, named, props, hours] = await Promise.all([
      db.selectFrom('visit_pages').selectAll().where('visit_id', 'in', some).execute(),
      db.selectFrom('visit_events').selectAll().where('visit_id', 'in', some).execute(),
      db.selectFrom('visit_props').selectAll().where('visit_id', 'in', some).execute(),
      db.selectFrom('visit_hours').selectAll().where('visit_id', 'in', some).execute(),
    ]);
    for (const row of pages) visit(row.visit_id).pages.set(row.page, { views: Number(row.views), engaged: Number(row.engaged_ms) });
    for (const row of named) visit(row.visit_id).named.set(row.name, Number(row.count));
    for (const row of props) visit(row.visit_id).props.set(row.prop, Number(row.count));
    for (const row of hours) visit(row.visit_id).hours.set(Number(row.hour), Number(row.pageviews));
  }
  return [...byId.values()];
}

/** Visits with a page view in [since, until], the latest first: who is on the site right now. */
export async function recentVisits(
  db: Db,
  siteId: number,
  since: number,
  until: number,
  limit: number,
): Promise<Array<{ visitor: number; exit_page: string | null }>> {
  const rows = await db
    .selectFrom('visits')
    .select(['visitor', 'exit_page'])
    .where('site_id', '=', siteId)
    .where('last_view_ts', '>=', since)
    .where('last_view_ts', '<=', until)
    .orderBy('last_view_ts', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ visitor: Number(row.visitor), exit_page: row.exit_page }));
}

/** The `visits` row of a visit. */
export function visitRow(siteId: number, day: string, visit: VisitState, bounce: boolean): NewVisit {
  return {
    site_id: siteId,
    day,
    visitor: visitorNumber(visit.visitor),
    start_ts: visit.start,
    end_ts: visit.end,
    last_view_ts: visit.lastView ?? null,
    entry_page: visit.entry ?? null,
    exit_page: visit.exit ?? null,
    pageviews: visit.pageviews,
    events: visit.custom,
    duration_ms: visit.duration,
    bounce: bounce ? 1 : 0,
    exit_engaged_ms: visit.exit === undefined ? 0 : (visit.pages.get(visit.exit)?.engaged ?? 0),
    ...visit.attributes,
  };
}

/**
 * The columns that a visit's later events change; the others come from its
 * first event. Extending a visit sets only these, so that the indexes on
 * the others (day, country, source) are left alone.
 */
export const VISIT_GROWING_COLUMNS = [
  'end_ts',
  'last_view_ts',
  'entry_page',
  'exit_page',
  'pageviews',
  'events',
  'duration_ms',
  'bounce',
  'exit_engaged_ms',
] as const satisfies ReadonlyArray<keyof NewVisit>;

/** Column order of a visits insert. */
export const VISIT_COLUMNS = [
  'site_id',
  'day',
  'visitor',
  'start_ts',
  ...VISIT_GROWING_COLUMNS,
  ...VISIT_ATTRIBUTES,
] as const satisfies readonly (keyof NewVisit)[];

/**
 * Plain SQL with `?` parameters, run in one transaction on a connection of
 * its own: the engine's writes. The one dialect difference is how: on
 * SQLite through cached prepared statements of better-sqlite3, in a
 * `begin immediate` transaction, on PostgreSQL through one pooled
 * connection, with `$n` parameters.
 */
export interface WriteSession {
  /** Runs a statement; `rows` are what a `returning` clause gave. */
  run(text: string, params: readonly unknown[]): Promise<{ changes: number; rows: Array<Record<string, unknown>> }>;
}

/**
 * Runs `work` in one transaction of `store`'s; rolls it back if `work`
 * throws. On SQLite, only on a connection that nothing else uses meanwhile
 * (the engine's own): between `work`'s awaits, other code could run a
 * statement on the same connection, inside the transaction.
 */
export async function inTransaction<T>(store: Store, work: (session: WriteSession) => Promise<T>): Promise<T> {
  const sqlite = store.sqlite;
  if (sqlite !== undefined) {
    const session = sqliteSession(sqlite);
    sqlite.exec('begin immediate');
    try {
      const result = await work(session);
      sqlite.exec('commit');
      return result;
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('rollback');
      throw error;
    }
  }
  return store.db.connection().execute(async (connection) => {
    const session: WriteSession = {
      run: async (text, params) => {
        let n = 0;
        const result = await connection.executeQuery<Record<string, unknown>>(
          CompiledQuery.raw(
            text.replace(/\?/g, () => `$${++n}`),
            [...params],
          ),
        );
        return { changes: Number(result.numAffectedRows ?? 0), rows: result.rows };
      },
    };
    await session.run('begin', []);
    try {
      const result = await work(session);
      await session.run('commit', []);
      return result;
    } catch (error) {
      await session.run('rollback', []).catch(() => undefined);
      throw error;
    }
  });
}

// Statement sizes, largest first: a few shapes to prepare once each, and few
// statements per chunk (a round trip each on PostgreSQL).
const BATCH_SIZES = [256, 64, 16, 4, 1];
// The statements' texts, built once: a few dozen in all.
const batchTexts = new Map<string, string>();

/**
 * Runs `prefix` + one `tuple` per row + `suffix` for all `rows`, a batch of
 * rows per statement; returns what `returning` gave, in order of batches.
 * A batch must not name a key twice where it upserts.
 */
export async function runBatched(
  session: WriteSession,
  prefix: string,
  tuple: string,
  suffix: string,
  rows: ReadonlyArray<readonly unknown[]>,
): Promise<Array<Record<string, unknown>>> {
  const returned: Array<Record<string, unknown>> = [];
  let at = 0;
  for (const size of BATCH_SIZES) {
    for (; rows.length - at >= size; at += size) {
      const batch = rows.slice(at, at + size);
      const key = `${size}\u0000${prefix}\u0000${tuple}\u0000${suffix}`;
      let text = batchTexts.get(key);
      if (text === undefined) {
        text = `${prefix} ${Array(size).fill(tuple).join(', ')} ${suffix}`;
        batchTexts.set(key, text);
      }
      const result = await session.run(text, batch.flat());
      returned.push(...result.rows);
    }
  }
  return returned;
}

const statements = new WeakMap<BetterSqlite.Database, Map<string, BetterSqlite.Statement>>();

function sqliteSession(sqlite: BetterSqlite.Database): WriteSession {
  let cache = statements.get(sqlite);
  if (cache === undefined) {
    cache = new Map();
    statements.set(sqlite, cache);
  }
  const prepared = cache;
  return {
    run: async (text, params) => {
      let statement = prepared.get(text);
      if (statement === undefined) {
        statement = sqlite.prepare(text);
        prepared.set(text, statement);
      }
      if (statement.reader) {
        const rows = statement.all(...params) as Array<Record<string, unknown>>;
        return { changes: rows.length, rows };
      }
      return { changes: statement.run(...params).changes, rows: [] };
    },
  };
}
