import type { Db } from '../../core/db/schema.js';
import { recentVisits } from '../../core/db/visits.js';

/** Current visitors and their pages. */
export interface Realtime {
  visitors: number;
  /** Too many page views to read them all: `visitors` is a lower bound. */
  capped: boolean;
  pages: Array<{ page: string; visitors: number }>;
}

/** "Right now" is the last five minutes, as in Plausible. */
export const REALTIME_MS = 5 * 60_000;
// A busy site's five minutes of visits; past this the count is marked "at least".
const MOST = 50_000;

/**
 * Visitors with a page view in the last five minutes, and the page each saw
 * last: from the engine's visits, so a busy site costs a row per visitor,
 * not one per page view. They are as current as the engine (a second or two).
 */
export async function loadRealtime(db: Db, siteId: number, now: number): Promise<Realtime> {
  const visits = await recentVisits(db, siteId, now - REALTIME_MS, now, MOST);
  const current = new Map<number, string>();
  // Latest first: a visitor's latest visit (two, across local midnight) says where they are.
  for (const visit of visits) {
    if (!current.has(visit.visitor) && visit.exit_page !== null) current.set(visit.visitor, visit.exit_page);
  }
  const pages = new Map<string, number>();
  for (const page of current.values()) pages.set(page, (pages.get(page) ?? 0) + 1);
  return {
    visitors: current.size,
    capped: visits.length >= MOST,
    pages: [...pages]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .slice(0, 10)
      .map(([page, visitors]) => ({ page, visitors })),
  };
}
