/**
 * Table types for Kysely. The collector owns the schema (see ARCHITECTURE.md):
 * a table changes only through a new migration in ./migrations.
 *
 * Timestamps are integer milliseconds since the Unix epoch on both dialects,
 * so queries and comparisons read the same on SQLite and PostgreSQL.
 *
 * One file, longer than most: it is declarations only, every table feeding
 * the one `Database` interface, and the whole schema reads best in one place.
 */
import type { Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';

export interface SitesTable {
  id: Generated<number>;
  /** The site's origin, as entered: `https://example.com`. */
  base_url: string;
  /** Host part of `base_url`, lower-cased: `example.com`. */
  domain: string;
  name: string;
  created_at: number;
  /** 1: count pages on any host name, not only the site's domain and its subdomains. */
  allow_any_host: Generated<number>;
  /** Addresses and CIDR networks whose visits are not counted, one per line. */
  excluded_ips: Generated<string>;
  /** The account that sees this site; null only for sites older than accounts, until the first account claims them. */
  owner_id: number | null;
  /** IANA time zone whose days the reports cut, such as `Europe/Berlin`. */
  timezone: Generated<string>;
}

export interface UsersTable {
  id: Generated<number>;
  /** Lower-cased. */
  email: string;
  name: Generated<string>;
  /** `scrypt$N$r$p$salt$key`, base64: see dashboard/password.ts. */
  password_hash: string;
  created_at: number;
}

/** A signed-in browser. Only the SHA-256 of its cookie's token is kept. */
export interface SessionsTable {
  token_hash: string;
  user_id: number;
  created_at: number;
  /** Updated at most hourly; a session unused for 30 days has expired. */
  last_seen_at: number;
}

/** An invitation to register, when registration is by invitation. */
export interface InvitesTable {
  token_hash: string;
  created_by: number;
  created_at: number;
}

/** What the report adds up, per day, per breakdown row. */
export interface RollupSums {
  visitors: number;
  visits: number;
  pageviews: number;
  bounces: number;
  /** Engaged milliseconds of the visits. */
  duration_ms: number;
  /** Custom events. */
  events: number;
}

/** One local day of one site: the report's top line and daily chart. */
export interface RollupDaysTable extends RollupSums {
  site_id: number;
  /** `YYYY-MM-DD` in the site's time zone. */
  day: string;
}

/** One hour of one local day, for the chart of a single day. */
export interface RollupHoursTable {
  site_id: number;
  day: string;
  /** The hour's first instant, epoch milliseconds. */
  hour: number;
  visitors: number;
  pageviews: number;
}

/** One row of one breakdown (pages, sources, countries…) on one local day. */
export interface RollupRowsTable extends RollupSums {
  site_id: number;
  dimension: string;
  day: string;
  value: string;
  engaged_ms: number;
}

/** The breakdown rows of an aligned block of local days that has ended, summed from its days. */
export interface RollupBlockRowsTable extends RollupSums {
  site_id: number;
  dimension: string;
  /** `YYYY-MM-DD+N`: the block's first local day and its length in days. */
  block: string;
  value: string;
  engaged_ms: number;
}

/** The blocks of a site whose rows are in rollup_block_rows. */
export interface RollupBlocksTable {
  site_id: number;
  block: string;
}

/** One visit: a visitor's events with no gap over 30 minutes, within one local day (see dashboard/reports/visit-fold.ts). */
export interface VisitsTable extends VisitAttributes {
  id: Generated<number>;
  site_id: number;
  /** `YYYY-MM-DD` in the site's time zone. */
  day: string;
  /** The visitor id, or minus the event's id for an event stored without one. */
  visitor: number;
  start_ts: number;
  /** The visit's last event, engagement included. */
  end_ts: number;
  /** The last page view's time; null for a visit without one. */
  last_view_ts: number | null;
  /** Path of the first page view; null for a visit without one. */
  entry_page: string | null;
  exit_page: string | null;
  pageviews: number;
  /** Custom events. */
  events: number;
  /** Engaged milliseconds. */
  duration_ms: number;
  /** 1: one page view and no custom event. */
  bounce: number;
  /** Engaged milliseconds on the exit page, over the visit. */
  exit_engaged_ms: number;
}

/** What a visit is listed by, from its first event; '' where the event had none. */
export interface VisitAttributes {
  source: string;
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  utm_term: string;
  utm_content: string;
  country: string;
  region: string;
  city: string;
  browser: string;
  /** Browser and version as listed: `Chrome 140`; the browser alone without a version. */
  browser_version: string;
  os: string;
  device: string;
}

/** A visit's attributes, as columns of `visits`, in the order reports list them. */
export const VISIT_ATTRIBUTES = [
  'source',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'country',
  'region',
  'city',
  'browser',
  'browser_version',
  'os',
  'device',
] as const satisfies readonly (keyof VisitAttributes)[];

/** A page a visit viewed (or only engaged with: `views` 0). */
export interface VisitPagesTable {
  visit_id: number;
  page: string;
  views: number;
  engaged_ms: number;
}

/** A custom event's count in a visit. */
export interface VisitEventsTable {
  visit_id: number;
  name: string;
  count: number;
}

/** A custom event property's count in a visit. */
export interface VisitPropsTable {
  visit_id: number;
  /** JSON of [event name, key, value]. */
  prop: string;
  count: number;
}

/** An hour (from local midnight) in which a visit had events. */
export interface VisitHoursTable {
  visit_id: number;
  hour: number;
  pageviews: number;
}

/** The engine's durable position (see dashboard/reports/engine.ts). */
export interface EngineStateTable {
  name: string;
  position: number;
  version: number;
}

/** A site whose visits and roll-ups are being made again, up to its own position (-1: not cleared yet). */
export interface EngineRebuildsTable {
  site_id: number;
  position: number;
}

/** An engagement event the engine folded and dropped: no visit of its visitor-day had begun. */
export interface EngineDroppedTable {
  site_id: number;
  visitor_id: number;
  ts: number;
}

/** On SQLite, which process runs the engine, until when. */
export interface EngineLeaseTable {
  name: string;
  holder: string;
  expires_at: number;
}

/** A key for the JSON API, stored only as a hash. */
export interface ApiKeysTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  key_hash: string;
  /** The key's first characters, shown so that its owner can tell keys apart. */
  prefix: string;
  created_at: number;
  /** Updated at most once a minute. */
  last_used_at: number | null;
}

/** A read-only link to a site's report. */
export interface ShareLinksTable {
  id: Generated<number>;
  site_id: number;
  token_hash: string;
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
  /** Browser name (`Chrome`) for beacons; the form's `browser` field for form posts. */
  browser: string | null;
  /** Major version of the browser: `140`. */
  browser_version: string | null;
  os: string | null;
  /** `desktop`, `mobile` or `tablet`. */
  device: string | null;
  /** ISO 3166-1 alpha-2 code. */
  country: string | null;
  region: string | null;
  city: string | null;
  /** Where the visit came from: the referrer's host, or a `ref`/`source`/`utm_source` value. */
  source: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  /** Keyed hash of (daily salt, site, IP, User-Agent): the same visitor within one day. */
  visitor_id: number | null;
  /** As stored after the IP_STORAGE setting: full, truncated or null. */
  ip: string | null;
  /** Custom event properties as a JSON object; `{url}` for outbound links and downloads. */
  props: string | null;
  /** For `engagement` events: visible milliseconds being reported. */
  engaged_ms: number | null;
}

/** One counter increment of filtered hits. */
export type FilteredHit = Selectable<FilteredHitsTable>;

/** Per site, per UTC day, per reason: how many hits the collector filtered out. */
export interface FilteredHitsTable {
  site_id: number;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** `bot`, `host` or `ip`. */
  reason: string;
  hits: number;
}

/** The random salt of each UTC day's visitor ids; deleted after 48 hours. */
export interface SaltsTable {
  day: string;
  salt: string;
  created_at: number;
}

/** Every table Sightline has, for `Kysely<Database>`. */
export interface Database {
  sites: SitesTable;
  events: EventsTable;
  filtered_hits: FilteredHitsTable;
  salts: SaltsTable;
  users: UsersTable;
  sessions: SessionsTable;
  invites: InvitesTable;
  share_links: ShareLinksTable;
  rollup_days: RollupDaysTable;
  rollup_hours: RollupHoursTable;
  rollup_rows: RollupRowsTable;
  rollup_block_rows: RollupBlockRowsTable;
  rollup_blocks: RollupBlocksTable;
  api_keys: ApiKeysTable;
  visits: VisitsTable;
  visit_pages: VisitPagesTable;
  visit_events: VisitEventsTable;
  visit_props: VisitPropsTable;
  visit_hours: VisitHoursTable;
  engine_state: EngineStateTable;
  engine_rebuilds: EngineRebuildsTable;
  engine_dropped: EngineDroppedTable;
  engine_lease: EngineLeaseTable;
}

/** Every column of `events` that an insert sets: all but the id. */
export const EVENT_COLUMNS = [
  'site_id',
  'ts',
  'name',
  'url',
  'referrer',
  'props',
  'engaged_ms',
  'browser',
  'browser_version',
  'os',
  'device',
  'country',
  'region',
  'city',
  'source',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'visitor_id',
  'ip',
] as const satisfies readonly (keyof NewEvent)[];

/** What a query function takes: the database, or a transaction on it. */
export type Db = Kysely<Database> | Transaction<Database>;

export type Site = Selectable<SitesTable>;
export type NewSite = Insertable<SitesTable>;
export type Event = Selectable<EventsTable>;
export type NewEvent = Insertable<EventsTable>;
export type User = Selectable<UsersTable>;
export type ShareLink = Selectable<ShareLinksTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type Visit = Selectable<VisitsTable>;
export type NewVisit = Insertable<VisitsTable>;
