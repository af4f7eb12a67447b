import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseSetting } from '../config.js';
import { startCheckpointer } from './checkpointer.js';
import { type Dialect, dialectOf } from './dialect.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

/** An open store: the query builder plus what it runs on. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** The SQLite connection under `db`, for the event writer's synchronous fast path only. */
  readonly sqlite?: SQLite.Database;
  /**
   * SQLite: throws `DatabaseFileGone` once the file it opened was deleted or
   * replaced (another inode) while it runs: writes would then go to a file
   * that no restart will find.
   */
  readonly checkFile?: () => void;
  close(): Promise<void>;
}

/** The SQLite file a server opened is no longer at its path. */
export class DatabaseFileGone extends Error {
  override name = 'DatabaseFileGone';
}

/** Options that only tests need. */
export interface OpenOptions {
  /** PostgreSQL schema to work in (each test gets its own). */
  readonly searchPath?: string;
  /** SQLite: checkpoint on a thread of its own (see checkpointer.ts); servers do. */
  readonly backgroundCheckpoints?: boolean;
}

/** Opens the configured store. The caller runs `migrate` before use. */
export function openStore(setting: DatabaseSetting, options: OpenOptions = {}): Store {
  if (setting.dialect === 'postgres') {
    const db = openPostgres(setting.url, options.searchPath);
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const sqlite = openSqlite(setting.path, setting.synchronous ?? 'normal');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const stopCheckpoints = options.backgroundCheckpoints ? startCheckpointer(sqlite, setting.path) : undefined;
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    checkFile: fileCheck(setting.path),
    close: async () => {
      await stopCheckpoints?.();
      await db.destroy();
    },
  };
}

/** How long a SQLite write waits for another connection's lock before it fails. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** A check that the file at `path` is still the one there now (same device and inode); once it is not, it never is again. */
function fileCheck(path: string): () => void {
  const identity = (stats: { dev: number; ino: number }) => `${stats.dev}:${stats.ino}`;
  const opened = identity(statSync(path));
  let gone: DatabaseFileGone | undefined;
  return () => {
    if (gone === undefined) {
      const now = statSync(path, { throwIfNoEntry: false });
      if (now === undefined || identity(now) !== opened) {
        gone = new DatabaseFileGone(
          `the SQLite file ${path} was ${now === undefined ? 'deleted' : 'replaced'} while the server ran; restart it`,
        );
      }
    }
    if (gone !== undefined) throw gone;
  };
}

/**
 * Makes a directory and its missing parents, one at a time: Node's
 * recursive mkdir never returns for a path under /proc.
 */
function makeDirectory(path: string): void {
  const missing: string[] = [];
  for (let at = resolve(path); !existsSync(at); at = dirname(at)) missing.unshift(at);
  for (const directory of missing) mkdirSync(directory);
}

function openSqlite(path: string, synchronous: 'normal' | 'full'): SQLite.Database {
  makeDirectory(dirname(path));
  const sqlite = new SQLite(path);
  // WAL lets the dashboard read while the collector writes. In WAL mode a
  // commit is in the OS's hands before the event is acknowledged, so it
  // survives a crash of the process (kill -9) with synchronous=NORMAL; FULL
  // also waits for the disk, for crashes of the machine, at a cost in speed.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  return sqlite;
}

// int8 columns (ids, epoch milliseconds) come back as strings by default;
// every value we store in them is far below 2^53, so a number is exact.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

function openPostgres(url: string, searchPath: string | undefined): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // A server that drops packets rather than refusing them must not hold
    // requests until the write queue fills: fail, and answer 503.
    connectionTimeoutMillis: 5_000,
    query_timeout: 15_000,
    types: pgTypes,
    ...(searchPath === undefined ? {} : { options: `-c search_path=${searchPath}` }),
  });
  // A client that loses its server emits 'error': an idle one on the pool, a
  // checked-out one (inside a transaction, say) on itself. Unheard, either
  // would crash the process; the query in progress or the next one reports
  // the outage instead, and the pool drops the broken client on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Brings the schema up to date, or up to the migration named `upTo` (for
 * tests of a migration); throws with the failing migration's name.
 */
export async function migrate(db: Kysely<Database>, upTo?: string): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told
  // which: with another schema's tables in the same database (a second
  // install, a test running beside this one) it would not make its own.
  const schema =
    dialectOf(db) === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed`, { cause: error });
  }
}
