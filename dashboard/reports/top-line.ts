import type { Sums } from '../../core/db/rollup-sums.js';

/** The headline numbers of a period, as shown and as compared. */
export function topLine(sums: Sums) {
  return {
    visitors: sums.visitors,
    visits: sums.visits,
    pageviews: sums.pageviews,
    viewsPerVisit: sums.visits === 0 ? 0 : sums.pageviews / sums.visits,
    bounceRate: sums.visits === 0 ? 0 : sums.bounces / sums.visits,
    visitDuration: sums.visits === 0 ? 0 : sums.duration_ms / sums.visits,
  };
}
