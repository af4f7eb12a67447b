/**
 * The analytics engine's thread (see rollup-job.ts): `npm start` runs it
 * beside the servers, with a database connection of its own, so that
 * folding events never runs on the event loop that takes them in.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { DatabaseSetting } from '../../collector/config.js';
import { openStore } from '../../collector/db/connect.js';
import { logError } from '../../collector/log.js';
import { leaseFor, startEngine } from './rollup-job.js';

const setting = (workerData as { database: DatabaseSetting }).database;

// Linux schedules threads one by one: a lower priority for this thread
// alone means that, with the cores busy, taking events in comes first and
// the engine catches up when the load eases.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
} catch {
  // Not Linux, or not allowed: the thread runs at the process's priority.
}

const store = openStore(setting);
const stop = startEngine(store, leaseFor(setting, store));
parentPort?.once('message', () => {
  stop()
    .then(() => store.close())
    .catch((error) => logError('the analytics engine did not stop cleanly', error))
    .finally(() => parentPort?.close());
});
