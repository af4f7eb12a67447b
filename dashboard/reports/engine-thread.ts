import { Worker } from 'node:worker_threads';
import type { DatabaseSetting } from '../../collector/config.js';
import { logError } from '../../collector/log.js';

// Measured: the engine's heap stays well under these in bench:soak.
const ENGINE_OLD_MB = 96;
const ENGINE_YOUNG_MB = 8;

/**
 * Starts the analytics engine on a thread of its own, from the bundle's
 * `engine-worker.js` beside the server's (scripts/build.mjs makes it).
 * Returns the function that stops it.
 */
export function startEngineThread(database: DatabaseSetting): () => Promise<void> {
  const worker = new Worker(new URL('./engine-worker.js', import.meta.url), {
    workerData: { database },
    // The engine works a chunk at a time; without limits V8 lets the
    // thread's heap grow with its garbage, and the process's memory with it.
    resourceLimits: { maxOldGenerationSizeMb: ENGINE_OLD_MB, maxYoungGenerationSizeMb: ENGINE_YOUNG_MB },
  });
  worker.unref();
  worker.on('error', (error) => logError('the analytics engine thread stopped; reports no longer update until a restart', error));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return async () => {
    worker.ref();
    worker.postMessage('stop');
    await exited;
  };
}
