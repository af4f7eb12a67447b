import type { Db, NewSite, Site } from './schema.js';

/** A site with its event count, for the sites list. */
export interface SiteSummary extends Site {
  events: number;
}

/** Stores a new site and returns it with its id. */
export async function insertSite(db: Db, site: NewSite): Promise<Site> {
  return db.insertInto('sites').values(site).returningAll().executeTakeFirstOrThrow();
}

/** The site with this id, or undefined. */
export async function findSite(db: Db, id: number): Promise<Site | undefined> {
  return db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
}

/** An account's sites, oldest first, with how many events each has. */
export async function listSites(db: Db, ownerId: number): Promise<SiteSummary[]> {
  const rows = await db
    .selectFrom('sites')
    .where('owner_id', '=', ownerId)
    .selectAll('sites')
    .select((eb) =>
      eb
        .selectFrom('events')
        .select((inner) => inner.fn.countAll<number | string>().as('n'))
        .whereRef('events.site_id', '=', 'sites.id')
        .as('events'),
    )
    .orderBy('sites.id')
    .execute();
  // PostgreSQL's count() is int8, which the driver may hand back as a string.
  return rows.map((row) => ({ ...row, events: Number(row.events ?? 0) }));
}

/** The collector's filter settings of a site. */
export interface SiteFilters {
  allow_any_host: number;
  excluded_ips: string;
}

/** Saves a site's filter settings. */
export async function updateSiteFilters(db: Db, id: number, filters: SiteFilters): Promise<void> {
  await db.updateTable('sites').set(filters).where('id', '=', id).execute();
}

/** Saves a site's name and base URL. */
export async function updateSite(db: Db, id: number, site: { base_url: string; domain: string; name: string }): Promise<void> {
  await db.updateTable('sites').set(site).where('id', '=', id).execute();
}

/** Deletes a site; its events, counters and share links go with it (foreign keys cascade). */
export async function deleteSite(db: Db, id: number): Promise<void> {
  await db.deleteFrom('sites').where('id', '=', id).execute();
}
