import type { MiddlewareHandler } from 'hono';
import { loggablePath, logInfo } from '../core/log.js';

/** One log line per dashboard request: method, path, status and duration. */
export function logRequests(): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const ms = Math.round((performance.now() - started) * 10) / 10;
    logInfo('request', { method: c.req.method, path: loggablePath(c.req.path), status: c.res.status, ms });
  };
}
