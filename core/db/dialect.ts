import { type Kysely, PostgresAdapter } from 'kysely';

/** The two stores Sightline runs on. */
export type Dialect = 'sqlite' | 'postgres';

/**
 * Which dialect a Kysely instance speaks. Dialect differences are few and
 * explicit: each one asks this function, so a search for it finds them all.
 */
export function dialectOf<DB>(db: Kysely<DB>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
