/**
 * The analytics engine's thread (see rollup-job.ts): `npm start` runs it
 * beside the servers, with a database connection of its own, so that
 * folding events never runs on the event loop that takes them in.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { DatabaseSetting } from '../../core/config.js';
import { openStore } from '../../core/db/connect.js';
import { logError, logInfo } from '../../core/log.js';
import { CATCHING_UP_EVENTS, engineLag } from './engine.js';
import { CAUGHT_UP } from './engine-thread.js';
import { leaseFor, startEngine, TURN_MS } from './rollup-job.js';

const setting = (workerData as { database: DatabaseSetting }).database;

/**
 * Linux schedules threads one by one: a lower priority for this thread
 * alone means that, with the cores busy, taking events in comes first.
 * Only a thread can be lowered, not raised again without privileges.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not allowed: the thread runs at the process's priority.
  }
}

const store = openStore(setting);
let stop: () => Promise<void> = async () => undefined;
let ending = false;
function end(message?: string): void {
  if (ending) return;
  ending = true;
  stop()
    .then(() => store.close())
    .then(() => {
      if (message !== undefined) parentPort?.postMessage(message);
    })
    .catch((error) => logError('the analytics engine did not stop cleanly', error))
    .finally(() => parentPort?.close());
}
parentPort?.once('message', () => end());

// A backlog (a large store's first fold, or a site folded anew) is folded
// at a low priority, with the cores busy only when ingest leaves time.
// Once caught up, this thread ends and one at normal priority follows:
// new events must reach the reports within seconds, and under steady load
// a thread that always gave way would fall further and further behind.
// Unknown (the store failed to answer, or this thread is stopping): normal priority.
const backlog = await engineLag(store).then(
  (lag) => lag.events,
  () => 0,
);
const catchingUp = backlog > CATCHING_UP_EVENTS;
if (catchingUp) {
  lowerPriority();
  logInfo('engine folding a backlog at low priority', { behind: backlog });
}
if (!ending) {
  stop = startEngine(store, leaseFor(setting, store), TURN_MS, catchingUp ? () => end(CAUGHT_UP) : undefined);
}
