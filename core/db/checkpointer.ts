import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import { logError } from '../log.js';

/** How often the background thread copies the WAL into the database file. */
const EVERY_MS = 100;
/**
 * The WAL size, in pages, at which the writing connection checkpoints by
 * itself (SQLite's default is 1,000). By then the thread has copied all but
 * the last few frames, so this costs the writer little; it is what lets the
 * WAL start over from its beginning, which a checkpoint racing the writer
 * rarely achieves.
 */
const WRITER_PAGES = 4000;

// The thread's whole program. A string rather than a module of its own, so
// that it runs the same from the bundle in dist/ and from source under tests.
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
let told = false;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // Busy is routine: the next turn tries again. Anything else is told to
    // the main thread, once; the thread keeps trying, and the writer's own
    // checkpoints go on regardless.
    const code = String(error.code);
    if (!told && !code.startsWith('SQLITE_BUSY') && !code.startsWith('SQLITE_LOCKED')) {
      told = true;
      parentPort.postMessage(String(error.stack || error));
    }
  }
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Moves SQLite's checkpoints off the event loop. With synchronous=NORMAL a
 * checkpoint fsyncs the WAL and the database file; on the writer's
 * connection that blocks the collector for a moment every thousand pages,
 * a cost that every event shares at full load. A second connection, on
 * its own thread, does that work instead. Returns the function that stops it; call
 * it before closing `sqlite`, so that the writer's connection is the last
 * and removes the WAL.
 */
export function startCheckpointer(sqlite: SQLite.Database, path: string, everyMs = EVERY_MS): () => Promise<void> {
  sqlite.pragma(`wal_autocheckpoint = ${WRITER_PAGES}`);
  const worker = new Worker(PROGRAM, {
    eval: true,
    workerData: { path, everyMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  // It must never keep the process alive, nor take it down: without it the
  // writer checkpoints by itself, as SQLite does by default.
  worker.unref();
  worker.on('error', (error) => logError('background checkpoints stopped; the writer checkpoints by itself', error));
  worker.on('message', (stack) =>
    logError('a background checkpoint failed (logged once; it is tried again every turn, and the writer checkpoints by itself)', stack),
  );
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return async () => {
    // Referenced again, or the process could end while it waits for the thread.
    worker.ref();
    worker.postMessage('stop');
    await exited;
  };
}
