import { Worker } from 'node:worker_threads';
import type { DatabaseSetting } from '../../core/config.js';
import { logError } from '../../core/log.js';

// The engine works a chunk at a time; without limits V8 lets the thread's
// heap grow with its garbage, and the process's memory with it.
const ENGINE_OLD_MB = 96;
const ENGINE_YOUNG_MB = 8;
/** A thread that died is started again after this pause. */
const RESTART_MS = 1_000;
/** What a thread that folded a backlog at low priority says as it ends: start the next one at once. */
export const CAUGHT_UP = 'caught up';

/**
 * Starts the analytics engine on a thread of its own, from the bundle's
 * `engine-worker.js` beside the server's (scripts/build.mjs makes it). A
 * thread that dies (out of its memory, say) is started again: its work is
 * in transactions, so it goes on from its last commit. Returns the function
 * that stops it.
 */
export function startEngineThread(database: DatabaseSetting): () => Promise<void> {
  let stopping = false;
  let worker: Worker;
  let exited: Promise<void>;
  const start = () => {
    if (stopping) return;
    worker = new Worker(new URL('./engine-worker.js', import.meta.url), {
      workerData: { database },
      resourceLimits: { maxOldGenerationSizeMb: ENGINE_OLD_MB, maxYoungGenerationSizeMb: ENGINE_YOUNG_MB },
    });
    worker.unref();
    worker.on('error', (error) => logError('the analytics engine thread failed; it starts again', error));
    let handOver = false;
    worker.on('message', (message) => {
      handOver = message === CAUGHT_UP;
    });
    exited = new Promise<void>((resolve) =>
      worker.once('exit', () => {
        resolve();
        if (!stopping) setTimeout(start, handOver ? 0 : RESTART_MS).unref();
      }),
    );
  };
  start();
  return async () => {
    stopping = true;
    worker.ref();
    worker.postMessage('stop');
    await exited;
  };
}
