import type { MiddlewareHandler } from 'hono';
import { logInfo } from '../collector/log.js';

/** One log line per dashboard request: method, path, status and duration. */
export function logRequests(): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const ms = Math.round((performance.now() - started) * 10) / 10;
    logInfo('request', { method: c.req.method, path: c.req.path, status: c.res.status, ms });
  };
}
