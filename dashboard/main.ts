/** Everything in one process: what `npm start` runs. */
import { runServer } from '../collector/serve.js';
import { IngestStats } from '../collector/stats.js';
import { loadTracker } from '../collector/tracker.js';
import { createApp } from './app.js';

await runServer('sightline', (config, store) => {
  const stats = new IngestStats();
  stats.startSummary(60_000);
  return createApp({ store, config, tracker: loadTracker(), stats });
});
