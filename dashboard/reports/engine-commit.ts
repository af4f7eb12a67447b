/**
 * Writes what a chunk of the engine planned (engine-plan.ts), all in one
 * transaction: the visits it removed, extended and started with their
 * child rows, the engagement it dropped, and its delta to the roll-ups.
 */
import type { Store } from '../../core/db/connect.js';
import { VISIT_COLUMNS, VISIT_GROWING_COLUMNS, visitorNumber, visitRow } from '../../core/db/visits.js';
import { inTransaction, runBatched, type WriteSession } from '../../core/db/write-session.js';
import { bounced } from './aggregate.js';
import { writeDelta } from './day-delta.js';
import type { Plan } from './engine-plan.js';
import { addChildRows, type ChildRows, emptyChildRows, NO_CHILDREN } from './visit-children.js';

/** Writes a plan and runs `guard` first, all in one transaction. */
export async function commit(store: Store, plan: Plan, guard: (session: WriteSession) => Promise<void>): Promise<void> {
  await inTransaction(store, async (session) => {
    await guard(session);
    const children = await writeVisits(session, plan);
    await writeChildRows(session, children);
    await writeDelta(session, plan.delta);
  });
}

/**
 * Removes, extends and inserts the plan's visits, and stores the
 * engagement it dropped. Gives each inserted visit its id, site and day,
 * and returns the child rows to write.
 */
async function writeVisits(session: WriteSession, plan: Plan): Promise<ChildRows> {
  await runBatched(
    session,
    'delete from visits where id in (',
    '?',
    ')',
    plan.remove.map((id) => [id]),
  );
  // Extended visits are upserts on their id: one statement for many rows.
  const columns = VISIT_COLUMNS.join(', ');
  const tuple = `(${VISIT_COLUMNS.map(() => '?').join(', ')})`;
  await runBatched(
    session,
    `insert into visits (id, ${columns}) values`,
    `(?, ${tuple.slice(1)}`,
    `on conflict (id) do update set ${VISIT_GROWING_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    plan.update.map(({ visit }) => {
      const row = visitRow(visit.siteId, visit.day, visit, bounced(visit));
      return [visit.id, ...VISIT_COLUMNS.map((c) => row[c])];
    }),
  );
  await runBatched(
    session,
    'insert into engine_dropped (site_id, visitor_id, ts) values',
    '(?, ?, ?)',
    'on conflict do nothing',
    plan.dropped,
  );
  const children = emptyChildRows();
  // Folding more events only adds children or raises their counts: write those.
  for (const { visit, before } of plan.update) addChildRows(children, visit.id, visit, before);
  const inserted = await runBatched(
    session,
    `insert into visits (${columns}) values`,
    tuple,
    'returning id, site_id, day, visitor, start_ts',
    plan.insert.map(({ siteId, day, visit }) => {
      const row = visitRow(siteId, day, visit, bounced(visit));
      return VISIT_COLUMNS.map((c) => row[c]);
    }),
  );
  // A visit is known by its site, day, visitor and start: a visitor's visits of a day start apart.
  const ids = new Map(inserted.map((r) => [`${r.site_id} ${r.day} ${r.visitor} ${r.start_ts}`, Number(r.id)]));
  for (const { siteId, day, visit } of plan.insert) {
    const id = ids.get(`${siteId} ${day} ${visitorNumber(visit.visitor)} ${visit.start}`);
    if (id === undefined) throw new Error('an inserted visit came back without its id');
    addChildRows(children, id, visit, NO_CHILDREN);
    Object.assign(visit, { id, siteId, day });
  }
  return children;
}

/** Upserts child rows: each carries its new count, not an increment. */
async function writeChildRows(session: WriteSession, children: ChildRows): Promise<void> {
  await runBatched(
    session,
    'insert into visit_pages (visit_id, page, views, engaged_ms) values',
    '(?, ?, ?, ?)',
    'on conflict (visit_id, page) do update set views = excluded.views, engaged_ms = excluded.engaged_ms',
    children.pages,
  );
  await runBatched(
    session,
    'insert into visit_events (visit_id, name, count) values',
    '(?, ?, ?)',
    'on conflict (visit_id, name) do update set count = excluded.count',
    children.named,
  );
  await runBatched(
    session,
    'insert into visit_props (visit_id, prop, count) values',
    '(?, ?, ?)',
    'on conflict (visit_id, prop) do update set count = excluded.count',
    children.props,
  );
  await runBatched(
    session,
    'insert into visit_hours (visit_id, hour, pageviews) values',
    '(?, ?, ?)',
    'on conflict (visit_id, hour) do update set pageviews = excluded.pageviews',
    children.hours,
  );
}
