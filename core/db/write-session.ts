/**
 * The sessions the analytics engine writes through: plain SQL with `?`
 * parameters, in one transaction, with statements batched many rows at a
 * time.
 */
import type BetterSqlite from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import type { Store } from './connect.js';

/**
 * Plain SQL with `?` parameters, run in one transaction on a connection of
 * its own: the engine's writes. The one dialect difference is how: on
 * SQLite through cached prepared statements of better-sqlite3, in a
 * `begin immediate` transaction, on PostgreSQL through one pooled
 * connection, with `$n` parameters.
 */
export interface WriteSession {
  /** Runs a statement; `rows` are what a `returning` clause gave. */
  run(text: string, params: readonly unknown[]): Promise<{ changes: number; rows: Array<Record<string, unknown>> }>;
}

/**
 * Runs `work` in one transaction of `store`'s; rolls it back if `work`
 * throws. On SQLite, only on a connection that nothing else uses meanwhile
 * (the engine's own): between `work`'s awaits, other code could run a
 * statement on the same connection, inside the transaction.
 */
export async function inTransaction<T>(store: Store, work: (session: WriteSession) => Promise<T>): Promise<T> {
  const sqlite = store.sqlite;
  if (sqlite !== undefined) {
    const session = sqliteSession(sqlite);
    sqlite.exec('begin immediate');
    try {
      const result = await work(session);
      sqlite.exec('commit');
      return result;
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('rollback');
      throw error;
    }
  }
  return store.db.connection().execute(async (connection) => {
    const session: WriteSession = {
      run: async (text, params) => {
        let n = 0;
        const result = await connection.executeQuery<Record<string, unknown>>(
          CompiledQuery.raw(
            text.replace(/\?/g, () => `$${++n}`),
            [...params],
          ),
        );
        return { changes: Number(result.numAffectedRows ?? 0), rows: result.rows };
      },
    };
    await session.run('begin', []);
    try {
      const result = await work(session);
      await session.run('commit', []);
      return result;
    } catch (error) {
      await session.run('rollback', []).catch(() => undefined);
      throw error;
    }
  });
}

// Statement sizes, largest first: a few shapes to prepare once each, and few
// statements per chunk (a round trip each on PostgreSQL).
const BATCH_SIZES = [256, 64, 16, 4, 1];
// The statements' texts, built once: a few dozen in all.
const batchTexts = new Map<string, string>();

/**
 * Runs `prefix` + one `tuple` per row + `suffix` for all `rows`, a batch of
 * rows per statement; returns what `returning` gave, in order of batches.
 * A batch must not name a key twice where it upserts.
 */
export async function runBatched(
  session: WriteSession,
  prefix: string,
  tuple: string,
  suffix: string,
  rows: ReadonlyArray<readonly unknown[]>,
): Promise<Array<Record<string, unknown>>> {
  const returned: Array<Record<string, unknown>> = [];
  let at = 0;
  for (const size of BATCH_SIZES) {
    for (; rows.length - at >= size; at += size) {
      const batch = rows.slice(at, at + size);
      const key = `${size}\u0000${prefix}\u0000${tuple}\u0000${suffix}`;
      let text = batchTexts.get(key);
      if (text === undefined) {
        text = `${prefix} ${Array(size).fill(tuple).join(', ')} ${suffix}`;
        batchTexts.set(key, text);
      }
      const result = await session.run(text, batch.flat());
      returned.push(...result.rows);
    }
  }
  return returned;
}

const statements = new WeakMap<BetterSqlite.Database, Map<string, BetterSqlite.Statement>>();

function sqliteSession(sqlite: BetterSqlite.Database): WriteSession {
  let cache = statements.get(sqlite);
  if (cache === undefined) {
    cache = new Map();
    statements.set(sqlite, cache);
  }
  const prepared = cache;
  return {
    run: async (text, params) => {
      let statement = prepared.get(text);
      if (statement === undefined) {
        statement = sqlite.prepare(text);
        prepared.set(text, statement);
      }
      if (statement.reader) {
        const rows = statement.all(...params) as Array<Record<string, unknown>>;
        return { changes: rows.length, rows };
      }
      return { changes: statement.run(...params).changes, rows: [] };
    },
  };
}
