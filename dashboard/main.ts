/** Everything in one process: what `npm start` runs. */
import { createIngest, startIngestChores } from '../collector/app.js';
import { runServer } from '../collector/serve.js';
import { IngestStats } from '../collector/stats.js';
import { loadTracker } from '../collector/tracker.js';
import { createApp } from './app.js';
import { startRollups } from './reports/rollup-job.js';

// Reports are at most this far behind the events; a report page also rolls
// up its own site's changes before it answers.
const ROLLUP_EVERY_MS = 10_000;

await runServer('sightline', (config, store) => {
  const stats = new IngestStats();
  const lastSummary = stats.startSummary(60_000);
  const ingest = createIngest(config.ingest, store);
  const stopChores = startIngestChores(ingest);
  const stopRollups = startRollups(store, ROLLUP_EVERY_MS);
  return {
    app: createApp({ store, config, ingest, tracker: loadTracker(), stats }),
    close: async () => {
      stopChores();
      stopRollups();
      await ingest.writer.close();
      lastSummary();
    },
  };
});
