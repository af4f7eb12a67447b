/**
 * The report's definitions: what a visit, a bounce, a visitor and a
 * duration are, and how one local day of one site's events adds up to its
 * totals, hourly series and breakdown rows. Visits are folded in
 * visit-fold.ts; the breakdowns and filters are in dimensions.ts. The
 * roll-ups store exactly this for every day, and a filtered report
 * computes it on the fly, so both read the same numbers.
 *
 * - A visitor is one visitor id within one local day: ids come from a
 *   daily salt, so nobody can be followed across days, and a visitor on
 *   three days counts three times in a longer period.
 * - A visit is a visitor's events with no gap over 30 minutes; it ends at
 *   the end of the local day at the latest.
 * - A bounce is a visit with one page view and no custom event.
 * - Visit duration and time on page are the engaged time the tracker
 *   measured (visible milliseconds), not guesses between page views.
 */

import type { ReportEvent } from '../../core/db/report-events.js';
import { addSums, type BreakdownRow, type DaySums, type HourSums, zeroSums } from '../../core/db/rollup-sums.js';
import type { VisitState } from '../../core/db/visits.js';
import { type Dimension, type Filter, KEEP_NONE, matches, VISIT_DIMENSIONS } from './dimensions.js';
import { foldVisits, visitorKey } from './visit-fold.js';

/** Whether a visit bounced: one page view and no custom event. */
export function bounced(visit: Pick<VisitState, 'pageviews' | 'custom'>): boolean {
  return visit.pageviews === 1 && visit.custom === 0;
}

/**
 * What one visitor's visits of one day add to the day's sums: its totals,
 * hours and breakdown rows, each counting the visitor once (visitors 0 or
 * 1). A day's sums are the sums of its visitors' shares, which is what
 * lets the engine add and take away one visitor at a time.
 */
export function visitorShare(visits: readonly VisitState[], detail = true): DaySums {
  const rows = new Map<string, BreakdownRow>();
  const row = (dimension: Dimension, value: string) => {
    const key = `${dimension}\u0000${value}`;
    let sums = rows.get(key);
    if (sums === undefined) {
      // The visitor counts once per row, however many of its visits are in it.
      sums = { dimension, value, ...zeroSums(), visitors: 1, engaged_ms: 0 };
      rows.set(key, sums);
    }
    return sums;
  };
  const totals = zeroSums();
  const hours = new Map<number, HourSums>();
  for (const visit of visits) {
    const bounce = bounced(visit) ? 1 : 0;
    totals.visitors = 1;
    totals.visits++;
    totals.pageviews += visit.pageviews;
    totals.bounces += bounce;
    totals.duration_ms += visit.duration;
    totals.events += visit.custom;
    if (!detail) continue;
    for (const [hour, pageviews] of visit.hours) {
      const sums = hours.get(hour) ?? { hour, visitors: 1, pageviews: 0 };
      sums.pageviews += pageviews;
      hours.set(hour, sums);
    }
    addToRows(row, visit, bounce);
  }
  return { totals, hours: [...hours.values()], rows: [...rows.values()] };
}

/** Adds a visit to each breakdown row it is in; `row` finds or starts a row. */
function addToRows(row: (dimension: Dimension, value: string) => BreakdownRow, visit: VisitState, bounce: number): void {
  const addVisit = (sums: BreakdownRow) => {
    sums.visits++;
    sums.pageviews += visit.pageviews;
    sums.bounces += bounce;
    sums.duration_ms += visit.duration;
    sums.events += visit.custom;
  };
  for (const dimension of VISIT_DIMENSIONS) {
    const value = visit.attributes[dimension];
    if (value !== '' || KEEP_NONE.has(dimension)) addVisit(row(dimension, value));
  }
  if (visit.entry !== undefined) addVisit(row('entry_page', visit.entry));
  if (visit.exit !== undefined) {
    const exit = row('exit_page', visit.exit);
    addVisit(exit);
    exit.engaged_ms += visit.pages.get(visit.exit)?.engaged ?? 0;
  }
  for (const [page, seen] of visit.pages) {
    // Engagement without a view of its page (sent after midnight, say) is no page visit.
    if (seen.views === 0) continue;
    const sums = row('page', page);
    sums.visits++;
    sums.pageviews += seen.views;
    sums.engaged_ms += seen.engaged;
  }
  for (const [name, count] of visit.named) {
    const sums = row('event', name);
    sums.visits++;
    sums.events += count;
  }
  for (const [prop, count] of visit.props) row('prop', prop).events += count;
}

/**
 * The sums of one local day, optionally for the visits that match every
 * filter: the reference that the engine's tables must equal. `events` are
 * the day's events sorted by visitor id, then time; `dayStart` is the
 * day's first instant. Without `detail`, only the totals (hours and rows
 * are left empty).
 */
export function sumDay(events: readonly ReportEvent[], dayStart: number, filters: readonly Filter[] = [], detail = true): DaySums {
  const totals = zeroSums();
  const hours = new Map<number, HourSums>();
  const rows = new Map<string, BreakdownRow>();
  const addShare = (visitorEvents: readonly ReportEvent[]) => {
    const visits: VisitState[] = [];
    foldVisits(visits, visitorEvents, dayStart);
    const share = visitorShare(
      visits.filter((visit) => matches(visit, filters)),
      detail,
    );
    addSums(totals, share.totals);
    for (const hour of share.hours) {
      const sums = hours.get(hour.hour) ?? { hour: hour.hour, visitors: 0, pageviews: 0 };
      sums.visitors += hour.visitors;
      sums.pageviews += hour.pageviews;
      hours.set(hour.hour, sums);
    }
    for (const row of share.rows) {
      const key = `${row.dimension}\u0000${row.value}`;
      const sums = rows.get(key);
      if (sums === undefined) rows.set(key, { ...row });
      else {
        addSums(sums, row);
        sums.engaged_ms += row.engaged_ms;
      }
    }
  };
  let start = 0;
  for (let i = 1; i <= events.length; i++) {
    if (i < events.length && visitorKey(events[i] as ReportEvent) === visitorKey(events[start] as ReportEvent)) continue;
    addShare(events.slice(start, i));
    start = i;
  }
  return {
    totals,
    hours: [...hours.values()].sort((a, b) => a.hour - b.hour),
    rows: [...rows.values()],
  };
}
