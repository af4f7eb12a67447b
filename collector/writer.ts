import type { Kysely } from 'kysely';
import type { Database, NewEvent } from './db/schema.js';
import { HttpError } from './errors.js';
import { logError } from './log.js';

/** How the writer batches. */
export interface WriterOptions {
  /** Most events in one transaction. */
  readonly batchSize: number;
  /** Longest a lone event waits for company before it is written. */
  readonly batchDelayMs: number;
  /** Most events waiting; past it `write` refuses with 503. */
  readonly queueLimit: number;
}

interface Pending {
  row: NewEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Thrown to the client when an event cannot be taken now; it may retry. */
const busy = (message: string) => new HttpError(503, message, undefined, { 'Retry-After': '1' });

/**
 * Group commit: events wait in memory and are written in batches, one
 * transaction and one multi-row insert each, after `batchDelayMs` or as soon
 * as `batchSize` are waiting. `write` resolves only once the batch holding
 * the event has committed, so an acknowledged event is on disk (or in
 * PostgreSQL) before the client hears 202: it survives a kill -9.
 *
 * While a batch is being written the next one gathers, so batches grow with
 * load. The queue is bounded: when it is full, or the database is failing,
 * `write` refuses with 503 and Retry-After rather than growing until the
 * process dies.
 */
export class EventWriter {
  private queue: Pending[] = [];
  private hits = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private failing = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: WriterOptions,
  ) {}

  /** Resolves when the event is committed; rejects with a 503 when it was not stored. */
  write(row: NewEvent): Promise<void> {
    if (this.closed) return Promise.reject(busy('The collector is shutting down; send the event again.'));
    if (this.queue.length >= this.options.queueLimit) return Promise.reject(busy('The collector is busy; send the event again.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.schedule();
    });
  }

  /** Counts a hit that a filter dropped; written with the next batch, best effort. */
  countFiltered(siteId: number, reason: string, ts: number): void {
    const key = `${siteId}\n${new Date(ts).toISOString().slice(0, 10)}\n${reason}`;
    this.hits.set(key, (this.hits.get(key) ?? 0) + 1);
    this.schedule();
  }

  /** Events waiting to be written. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Stops taking events and writes every waiting one. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.run();
  }

  private schedule(): void {
    if (this.running !== undefined) return; // the running loop takes it
    if (this.queue.length >= this.options.batchSize) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.run();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.run();
      }, this.options.batchDelayMs);
    }
  }

  private run(): Promise<void> {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0 || this.hits.size > 0) this.schedule();
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 || this.hits.size > 0) {
      const batch = this.queue.splice(0, this.options.batchSize);
      const hits = this.hits;
      this.hits = new Map();
      try {
        await this.db.transaction().execute(async (trx) => {
          if (batch.length > 0)
            await trx
              .insertInto('events')
              .values(batch.map((p) => p.row))
              .execute();
          for (const [key, count] of hits) {
            const [site, day = '', reason = ''] = key.split('\n');
            await trx
              .insertInto('filtered_hits')
              .values({ site_id: Number(site), day, reason, hits: count })
              .onConflict((oc) =>
                oc
                  .columns(['site_id', 'day', 'reason'])
                  .doUpdateSet((eb) => ({ hits: eb('filtered_hits.hits', '+', eb.ref('excluded.hits')) })),
              )
              .execute();
          }
        });
        for (const pending of batch) pending.resolve();
        if (this.failing) logError('event writer recovered: batches commit again');
        this.failing = false;
      } catch (error) {
        if (!this.failing) logError('event writer: a batch failed; answering 503 until writes succeed', error);
        this.failing = true;
        await this.retryOneByOne(batch);
        // A database that is down would fail every batch in turn: let clients retry instead.
        if (this.failing)
          for (const pending of this.queue.splice(0)) pending.reject(busy('The database is unavailable; send the event again.'));
      }
    }
  }

  /** Writes a failed batch's rows singly, so that one bad row cannot sink the others. */
  private async retryOneByOne(batch: Pending[]): Promise<void> {
    for (const pending of batch) {
      try {
        await this.db.insertInto('events').values(pending.row).execute();
        pending.resolve();
        this.failing = false;
      } catch {
        pending.reject(busy('The event could not be stored; send it again.'));
      }
    }
  }
}
