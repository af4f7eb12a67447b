import type { Store } from '../core/db/connect.js';
import { batchWriter, type WriteBatch } from '../core/db/event-batch.js';
import type { FilteredHit, NewEvent } from '../core/db/schema.js';
import { retryLater } from '../core/errors.js';
import { logError } from '../core/log.js';
import { utcDay } from '../core/time.js';

/** How the writer batches. */
export interface WriterOptions {
  /** Most events in one transaction. */
  readonly batchSize: number;
  /** Longest a lone event waits for company before it is written; 0: until the end of this turn of the event loop. */
  readonly batchDelayMs: number;
  /** Most events waiting; past it `write` refuses with 503. */
  readonly queueLimit: number;
}

/** How long the writer waits before it tries a failing database again for its counts. */
const RETRY_PAUSE_MS = 1000;

interface Pending {
  row: NewEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: events wait in memory and are written in batches, one
 * transaction and one multi-row insert each, after `batchDelayMs` or as soon
 * as `batchSize` are waiting. `write` resolves only once the batch holding
 * the event has committed, so an acknowledged event is on disk (or in
 * PostgreSQL) before the client hears 202: it survives a kill -9.
 *
 * While a batch is being written the next one gathers, so batches grow with
 * load. The queue is bounded: when it is full `write` refuses at once with
 * 503 and Retry-After, rather than growing until the process dies. While the
 * database fails, each event is answered 503 as its batch fails, and the
 * queue is emptied with 503s rather than kept.
 */
export class EventWriter {
  private queue: Pending[] = [];
  private hits = new Map<string, number>();
  /** Cancels the run that is scheduled, if one is. */
  private timer: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private failing = false;
  private readonly writeBatch: WriteBatch;

  constructor(
    store: Store,
    private readonly options: WriterOptions,
  ) {
    this.writeBatch = batchWriter(store);
  }

  /** Resolves when the event is committed; rejects with a 503 when it was not stored. */
  write(row: NewEvent): Promise<void> {
    if (this.closed) return Promise.reject(retryLater('The collector is shutting down; send the event again.'));
    if (this.queue.length >= this.options.queueLimit) return Promise.reject(retryLater('The collector is busy; send the event again.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.schedule();
    });
  }

  /** Counts a hit that a filter dropped; written with the next batch, best effort. */
  countFiltered(siteId: number, reason: string, ts: number): void {
    this.countHits(siteId, utcDay(ts), reason, 1);
    this.schedule();
  }

  private countHits(siteId: number, day: string, reason: string, hits: number): void {
    const key = `${siteId}\n${day}\n${reason}`;
    this.hits.set(key, (this.hits.get(key) ?? 0) + hits);
  }

  /** Stops taking events and writes every waiting one. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelTimer();
    await this.run();
  }

  private schedule(): void {
    if (this.running !== undefined) return; // the running loop takes it
    if (this.queue.length >= this.options.batchSize) {
      this.cancelTimer();
      void this.run();
      return;
    }
    if (this.timer !== undefined) return;
    // With no delay, the batch closes at the end of this turn of the event
    // loop: every request parsed in the same turn joins it, and under load
    // the next batch gathers while this one is written.
    if (this.options.batchDelayMs === 0) {
      const immediate = setImmediate(() => this.fire());
      this.timer = () => clearImmediate(immediate);
    } else {
      this.runAfter(this.options.batchDelayMs);
    }
  }

  private runAfter(ms: number): NodeJS.Timeout {
    const timeout = setTimeout(() => this.fire(), ms);
    this.timer = () => clearTimeout(timeout);
    return timeout;
  }

  private fire(): void {
    this.timer = undefined;
    void this.run();
  }

  private cancelTimer(): void {
    this.timer?.();
    this.timer = undefined;
  }

  private run(): Promise<void> {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      if (this.queue.length === 0 && this.hits.size === 0) return;
      if (!this.failing) {
        this.schedule();
      } else if (this.timer === undefined && !this.closed) {
        // Only counts wait (events were answered 503): retry them in a while,
        // without keeping the process alive for them.
        this.runAfter(RETRY_PAUSE_MS).unref();
      }
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 || this.hits.size > 0) {
      const batch = this.queue.splice(0, this.options.batchSize);
      // In key order, so that collectors updating the same counters take
      // their row locks in the same order and cannot deadlock.
      const hits: FilteredHit[] = [...this.hits]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, count]) => {
          const [site, day = '', reason = ''] = key.split('\n');
          return { site_id: Number(site), day, reason, hits: count };
        });
      this.hits = new Map();
      try {
        await this.writeBatch(
          batch.map((p) => p.row),
          hits,
        );
        for (const pending of batch) pending.resolve();
        if (this.failing) logError('event writer recovered: batches commit again');
        this.failing = false;
      } catch (error) {
        if (!this.failing) logError('event writer: a batch failed; answering 503 until writes succeed', error);
        this.failing = true;
        // The counts were not written: keep them for the next batch.
        for (const hit of hits) this.countHits(hit.site_id, hit.day, hit.reason, hit.hits);
        await this.retryOneByOne(batch);
        if (this.failing) {
          // A database that is down would fail every batch in turn: let
          // clients retry instead, and try again after a pause.
          for (const pending of this.queue.splice(0)) pending.reject(retryLater('The database is unavailable; send the event again.'));
          return;
        }
      }
    }
  }

  /** Writes a failed batch's rows singly, so that one bad row cannot sink the others. */
  private async retryOneByOne(batch: Pending[]): Promise<void> {
    for (const pending of batch) {
      try {
        await this.writeBatch([pending.row], []);
        pending.resolve();
        this.failing = false;
      } catch {
        pending.reject(retryLater('The event could not be stored; send it again.'));
      }
    }
  }
}
