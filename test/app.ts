/** The whole instance, as `npm start` serves it, run in-process on a test store. */
import type { Hono } from 'hono';
import type { IngestDeps } from '../collector/ingest.js';
import { loadTracker, type TrackerBundle } from '../collector/tracker.js';
import { loadConfig } from '../core/config.js';
import type { Store } from '../core/db/connect.js';
import { IngestStats } from '../core/stats.js';
import type { LoginThrottle } from '../dashboard/throttle.js';
import { createApp } from '../server/app.js';
import { testIngest } from './ingest.js';

/** What a test may set; everything else is as a fresh install has it. */
export interface TestAppOptions {
  /** Settings, as the environment gives them. */
  readonly env?: Record<string, string>;
  /** The pipeline, when the test closes or inspects it; one of `env`'s otherwise. */
  readonly ingest?: IngestDeps;
  readonly throttle?: LoginThrottle;
  /** The login throttle's pauses; tests pass one that does not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly apiRateLimit?: number;
}

let tracker: TrackerBundle | undefined;

/** The collector, the API and the dashboard in one app, on `store`. */
export function testApp(store: Store, options: TestAppOptions = {}): Hono {
  const env = options.env ?? {};
  tracker ??= loadTracker();
  return createApp({
    store,
    config: loadConfig(env),
    ingest: options.ingest ?? testIngest(store, env),
    tracker,
    stats: new IngestStats(),
    ...(options.throttle === undefined ? {} : { throttle: options.throttle }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    ...(options.apiRateLimit === undefined ? {} : { apiRateLimit: options.apiRateLimit }),
  });
}
