/**
 * Table types for Kysely. The collector owns the schema (see ARCHITECTURE.md):
 * a table changes only through a new migration in ./migrations.
 *
 * Timestamps are integer milliseconds since the Unix epoch on both dialects,
 * so queries and comparisons read the same on SQLite and PostgreSQL.
 */
import type { Generated, Insertable, Selectable } from 'kysely';

export interface SitesTable {
  id: Generated<number>;
  /** The site's origin, as entered: `https://example.com`. */
  base_url: string;
  /** Host part of `base_url`, lower-cased: `example.com`. */
  domain: string;
  name: string;
  created_at: number;
}

export interface EventsTable {
  id: Generated<number>;
  site_id: number;
  /** When the event happened, in epoch milliseconds. */
  ts: number;
  /** `pageview` for page views, otherwise the event's own name. */
  name: string;
  url: string;
  referrer: string | null;
  /** The User-Agent for beacons; the seed's `browser` field for form posts. */
  browser: string | null;
  ip: string | null;
  /** Custom event properties as a JSON object; `{url}` for outbound links and downloads. */
  props: string | null;
  /** For `engagement` events: visible milliseconds being reported. */
  engaged_ms: number | null;
}

/** Every table Sightline has, for `Kysely<Database>`. */
export interface Database {
  sites: SitesTable;
  events: EventsTable;
}

export type Site = Selectable<SitesTable>;
export type NewSite = Insertable<SitesTable>;
export type Event = Selectable<EventsTable>;
export type NewEvent = Insertable<EventsTable>;
