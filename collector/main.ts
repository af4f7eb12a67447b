/**
 * The collector alone: the stateless unit that scales out behind a load
 * balancer, many of them writing to one PostgreSQL.
 */

import { IngestStats } from '../core/stats.js';
import { createCollectorApp, createIngest, startIngestChores } from './app.js';
import { runServer } from './serve.js';
import { loadTracker } from './tracker.js';

await runServer('collector', (config, store) => {
  const stats = new IngestStats();
  const lastSummary = stats.startSummary(60_000);
  const ingest = createIngest(config.ingest, store);
  const stopChores = startIngestChores(ingest);
  return {
    app: createCollectorApp({ ingest, tracker: loadTracker(), stats }),
    close: async () => {
      stopChores();
      await ingest.writer.close();
      lastSummary();
    },
  };
});
