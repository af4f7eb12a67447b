import type { Migration } from 'kysely';
import * as sitesAndEvents from './2026-11-26-sites-and-events.js';

/**
 * Every migration, imported statically so that a bundle carries them.
 * Keys sort by date, which is the order they run in.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-26-sites-and-events': sitesAndEvents,
};
