import type { Migration } from 'kysely';
import * as sitesAndEvents from './2026-11-26-01-sites-and-events.js';
import * as eventPropsAndEngagement from './2026-11-26-02-event-props-and-engagement.js';
import * as enrichmentAndFilters from './2026-11-26-03-enrichment-and-filters.js';
import * as accounts from './2026-11-26-04-accounts.js';
import * as reportRollups from './2026-11-26-05-report-rollups.js';
import * as apiKeys from './2026-11-26-06-api-keys.js';
import * as rollupBlocks from './2026-11-26-07-rollup-blocks.js';
import * as analyticsEngine from './2026-12-02-01-analytics-engine.js';
import * as visitIndexes from './2026-12-02-02-visit-indexes.js';
import * as droppedEngagement from './2026-12-02-03-dropped-engagement.js';

/**
 * Every migration, imported statically so that a bundle carries them. Names
 * are the date plus a sequence number for that day; Kysely runs them in name
 * order.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-26-01-sites-and-events': sitesAndEvents,
  '2026-11-26-02-event-props-and-engagement': eventPropsAndEngagement,
  '2026-11-26-03-enrichment-and-filters': enrichmentAndFilters,
  '2026-11-26-04-accounts': accounts,
  '2026-11-26-05-report-rollups': reportRollups,
  '2026-11-26-06-api-keys': apiKeys,
  '2026-11-26-07-rollup-blocks': rollupBlocks,
  '2026-12-02-01-analytics-engine': analyticsEngine,
  '2026-12-02-02-visit-indexes': visitIndexes,
  '2026-12-02-03-dropped-engagement': droppedEngagement,
};
