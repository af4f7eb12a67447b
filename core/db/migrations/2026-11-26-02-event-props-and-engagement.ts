// Frozen: never edit a migration that has shipped; add a new one instead.
import type { Kysely } from 'kysely';

// Custom event properties (JSON text) and engaged time, sent by the tracker.
// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('props', 'text').execute();
  await db.schema.alterTable('events').addColumn('engaged_ms', 'bigint').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('engaged_ms').execute();
  await db.schema.alterTable('events').dropColumn('props').execute();
}
