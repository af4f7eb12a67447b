/**
 * The JSON API under /api/v1: sites, and every number the dashboard shows,
 * for scripts. Requests carry `Authorization: Bearer KEY`; a key reaches its
 * account's sites only. Each operation is described once, in zod, in
 * ./operations.ts: its requests are checked against that description and the
 * OpenAPI document is generated from it. The numbers come from the
 * dashboard's own code (reports/). Keys are checked in ./keys.ts, operations
 * registered in ./register.ts and handled in ./operation-handlers.ts.
 */

import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { AddressList } from '../../core/cidr.js';
import type { Store } from '../../core/db/connect.js';
import { type ErrorRenderer, HttpError } from '../../core/errors.js';
import type { SiteCache } from '../../core/site-cache.js';
import { noStore } from '../headers.js';
import { apiKeys } from './keys.js';
import { accountOperations, reportOperations, siteOperations } from './operation-handlers.js';
import { OPERATIONS } from './operations.js';
import { registrar } from './register.js';
import { describeOperations } from './schema.js';

/** The largest request body: a site is a few hundred bytes. */
const MAX_BODY = 16 * 1024;

/** What the API needs. */
export interface ApiDeps {
  readonly store: Store;
  readonly sites: SiteCache;
  /** Proxies whose X-Forwarded-For is believed, for the address that unknown keys are counted by. */
  readonly trustedProxies: AddressList;
  readonly rateLimit?: number;
}

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** Every API error has one shape: `{ error: { code, message, fields? } }`. */
const renderApiError: ErrorRenderer = (c, status, message, fields) =>
  c.json({ error: { code: CODES[status] ?? (status >= 500 ? 'internal' : 'error'), message, ...(fields ? { fields } : {}) } }, status);

/** The API's routes, to mount at /api/v1 before the dashboard. */
export function createApi(deps: ApiDeps): OpenAPIHono {
  const app = new OpenAPIHono();

  app.use(async (c, next) => {
    c.set('renderError', renderApiError);
    await next();
  });
  app.use(noStore());
  app.use(
    bodyLimit({
      maxSize: MAX_BODY,
      onError: () => {
        throw new HttpError(413, `Send at most ${MAX_BODY} bytes.`);
      },
    }),
  );

  describeOperations(app, Object.values(OPERATIONS));
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Sightline API', version: '1', description: 'Sites and their reports: the numbers the dashboard shows, as JSON.' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
  });

  // Everything else needs a key.
  app.use(apiKeys(deps.store.db, deps.trustedProxies, deps.rateLimit));
  const operations = registrar(app, deps.store.db);
  accountOperations(operations, deps);
  siteOperations(operations, deps);
  reportOperations(operations, deps);

  app.all('*', () => {
    throw new HttpError(404, 'There is no such API endpoint; see /api/v1/openapi.json.');
  });
  return app;
}
