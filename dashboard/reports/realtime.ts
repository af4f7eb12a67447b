import { recentPageviews } from '../../collector/db/events.js';
import type { Db } from '../../collector/db/schema.js';
import type { Realtime } from '../views/report.js';
import { pagePath } from './aggregate.js';

/** "Right now" is the last five minutes, as in Plausible. */
export const REALTIME_MS = 5 * 60_000;
// A busy site's five minutes of page views; past this the count is marked "at least".
const MOST = 50_000;

/** Visitors with a page view in the last five minutes, and the page each saw last. */
export async function loadRealtime(db: Db, siteId: number, now: number): Promise<Realtime> {
  const views = await recentPageviews(db, siteId, now - REALTIME_MS, MOST);
  const current = new Map<string, string>();
  // Newest first: the first view of each visitor is where they are.
  for (const view of views) {
    const visitor = view.visitor_id === null ? `e${view.id}` : `v${view.visitor_id}`;
    if (!current.has(visitor)) current.set(visitor, pagePath(view.url));
  }
  const pages = new Map<string, number>();
  for (const page of current.values()) pages.set(page, (pages.get(page) ?? 0) + 1);
  return {
    visitors: current.size,
    capped: views.length >= MOST,
    pages: [...pages]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .slice(0, 10)
      .map(([page, visitors]) => ({ page, visitors })),
  };
}
