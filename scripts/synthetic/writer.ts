// Where the synthetic rows go: one transaction at a time, written while the
// next rows are made, with a progress line every few seconds.
//
// SQLite: prepared multi-row inserts on the raw better-sqlite3 handle.
// PostgreSQL: inserts of column arrays, unnested, each transaction holding
// the event writers' fence (horizon.ts) as the collector's do, so that an
// engine running meanwhile skips none.
import type SQLite from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import type { Store } from '../../core/db/connect.js';
import { fenceEventWrites } from '../../core/db/horizon.js';
import { EVENT_COLUMNS } from '../../core/db/schema.js';

// A row is the values of EVENT_COLUMNS, in that order.
export type Value = string | number | null;
export type Row = Value[];

const SQLITE_ROWS_PER_INSERT = 100;
const SQLITE_ROWS_PER_TRANSACTION = 50_000;
const PG_ROWS_PER_INSERT = 2000;
const PG_ROWS_PER_TRANSACTION = 20_000;
const REPORT_EVERY_MS = 5000;

/** Writes rows in one transaction; resolves when they are stored. */
interface Sink {
  write(rows: Row[]): Promise<void>;
}

function sqliteSink(sqlite: SQLite.Database): Sink {
  const tuple = `(${EVENT_COLUMNS.map(() => '?').join(', ')})`;
  const prefix = `insert into events (${EVENT_COLUMNS.join(', ')}) values `;
  const many = sqlite.prepare(prefix + Array(SQLITE_ROWS_PER_INSERT).fill(tuple).join(', '));
  const one = sqlite.prepare(prefix + tuple);
  const width = EVENT_COLUMNS.length;
  const values: Value[] = new Array(SQLITE_ROWS_PER_INSERT * width);
  const write = sqlite.transaction((rows: Row[]) => {
    let at = 0;
    for (; at + SQLITE_ROWS_PER_INSERT <= rows.length; at += SQLITE_ROWS_PER_INSERT) {
      let k = 0;
      for (let i = at; i < at + SQLITE_ROWS_PER_INSERT; i++) {
        const row = rows[i] as Row;
        for (let c = 0; c < width; c++) values[k++] = row[c] ?? null;
      }
      many.run(values);
    }
    for (; at < rows.length; at++) one.run(rows[at] as Row);
  });
  return {
    write: async (rows) => {
      write(rows);
    },
  };
}

// The events columns that are bigint; the others are text.
const BIGINT_COLUMNS = new Set(['site_id', 'ts', 'engaged_ms', 'visitor_id']);

function postgresSink(store: Store): Sink {
  // One array per column, unnested: PostgreSQL takes these rows much faster
  // than the same rows as a VALUES list of parameters.
  const text = `insert into events (${EVENT_COLUMNS.join(', ')}) select * from unnest(${EVENT_COLUMNS.map(
    (column, i) => `$${i + 1}::${BIGINT_COLUMNS.has(column) ? 'bigint' : 'text'}[]`,
  ).join(', ')})`;
  return {
    write: (rows) =>
      store.db.transaction().execute(async (trx) => {
        await fenceEventWrites(trx);
        for (let at = 0; at < rows.length; at += PG_ROWS_PER_INSERT) {
          const chunk = rows.slice(at, at + PG_ROWS_PER_INSERT);
          const columns = EVENT_COLUMNS.map((_, c) => chunk.map((row) => row[c] ?? null));
          await trx.executeQuery(CompiledQuery.raw(text, columns));
        }
      }),
  };
}

/**
 * Takes rows in time order and writes them a transaction at a time: one in
 * flight while the next rows are made.
 */
export class RowWriter {
  /** Rows stored so far. */
  written = 0;
  private readonly sink: Sink;
  private readonly perTransaction: number;
  private readonly began = performance.now();
  private lastReport = this.began;
  private pending: Row[] = [];
  private inFlight: Promise<void> | undefined;

  constructor(
    store: Store,
    /** Events in all, for the progress line. */
    private readonly events: number,
    private readonly log: (line: string) => void,
  ) {
    this.sink = store.sqlite === undefined ? postgresSink(store) : sqliteSink(store.sqlite);
    this.perTransaction = store.sqlite === undefined ? PG_ROWS_PER_TRANSACTION : SQLITE_ROWS_PER_TRANSACTION;
  }

  /** Queues rows; writes a transaction once enough are queued. */
  async add(rows: readonly Row[]): Promise<void> {
    for (const row of rows) this.pending.push(row);
    if (this.pending.length >= this.perTransaction) await this.flush();
  }

  /** Writes what is queued and waits for it; returns the seconds since the writer was made. */
  async finish(): Promise<number> {
    if (this.pending.length > 0) await this.flush();
    await this.inFlight;
    return (performance.now() - this.began) / 1000;
  }

  private async flush(): Promise<void> {
    await this.inFlight;
    const rows = this.pending;
    this.pending = [];
    this.inFlight = this.sink.write(rows).then(() => {
      this.written += rows.length;
      const now = performance.now();
      if (now - this.lastReport >= REPORT_EVERY_MS) {
        this.lastReport = now;
        const { written, events } = this;
        this.log(
          `synthetic: ${written.toLocaleString('en-US')} of ${events.toLocaleString('en-US')} events (${((100 * written) / events).toFixed(0)}%), ${Math.round(written / ((now - this.began) / 1000)).toLocaleString('en-US')} rows/s`,
        );
      }
    });
  }
}
