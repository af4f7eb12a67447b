/** Everything in one process: what `npm start` runs. */
import { createIngest, startIngestChores } from '../collector/app.js';
import { runServer } from '../collector/serve.js';
import { loadTracker } from '../collector/tracker.js';
import { IngestStats } from '../core/stats.js';
import { startEngineThread } from '../dashboard/reports/engine-thread.js';
import { createApp } from './app.js';

await runServer('sightline', (config, store) => {
  const stats = new IngestStats();
  const lastSummary = stats.startSummary(60_000);
  const ingest = createIngest(config.ingest, store);
  const stopChores = startIngestChores(ingest);
  const stopEngine = startEngineThread(config.database);
  return {
    app: createApp({ store, config, ingest, tracker: loadTracker(), stats }),
    close: async () => {
      stopChores();
      await stopEngine();
      await ingest.writer.close();
      lastSummary();
    },
  };
});
