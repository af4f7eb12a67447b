import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { logError, loggablePath } from './log.js';

/** Field name → what is wrong with it. */
export type FieldErrors = Record<string, string>;

/**
 * An empty FieldErrors without a prototype: a client's field named
 * `__proto__` is recorded like any other, instead of vanishing into the
 * object's prototype and letting the request through.
 */
export function fieldErrors(): FieldErrors {
  return Object.create(null) as FieldErrors;
}

/**
 * The one error type that handlers throw. Its message is shown to the client,
 * so it must never carry internals; a 500's message is replaced anyway.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly fields?: FieldErrors,
    /** Extra response headers, such as Retry-After on a 503. */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

/** A 503 that tells the client to send again in a second: nothing was stored. */
export function retryLater(message: string): HttpError {
  return new HttpError(503, message, undefined, { 'Retry-After': '1' });
}

/** How an app shows an error page; the default answers with JSON. */
export type ErrorRenderer = (
  c: Context,
  status: ContentfulStatusCode,
  message: string,
  fields?: FieldErrors,
) => Response | Promise<Response>;

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the dashboard so that its errors render as HTML pages. */
    renderError: ErrorRenderer;
  }
}

const renderJson: ErrorRenderer = (c, status, message, fields) =>
  c.json(fields === undefined ? { error: message } : { error: message, fields }, status);

const GENERIC_5XX = 'Something went wrong on our side. It has been logged.';

/**
 * Whether reading the request failed because the client went away or cut
 * its body short: Node's "aborted" (ECONNRESET). The client's doing, not
 * ours: a 400, with no stack in the logs.
 */
export function clientAborted(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === 'ECONNRESET' && err.message === 'aborted';
}

/** The status an error is answered with: its own, or 500 for anything we did not throw on purpose. */
export function errorStatus(err: unknown): ContentfulStatusCode {
  if (clientAborted(err)) return 400;
  // HTTPException comes from Hono's own middleware (body limit, bad requests).
  return err instanceof HttpError ? err.status : err instanceof HTTPException ? (err.status as ContentfulStatusCode) : 500;
}

/** The `app.onError` for every Sightline app: log 5xx with stack, show a plain message. */
export function handleError(err: Error, c: Context): Response | Promise<Response> {
  const status = errorStatus(err);
  // A 503 we throw on purpose (retryLater) refuses work while something is
  // down; what is down logs itself once. Logging every refusal would flood
  // the logs for as long as it lasts.
  const refusal = err instanceof HttpError && status === 503;
  if (status >= 500 && !refusal) logError(`${c.req.method} ${loggablePath(c.req.path)} failed`, err, { status });
  // Only messages we wrote ourselves reach the client, and never a 500's.
  const message = clientAborted(err)
    ? 'The request ended before its body did.'
    : err instanceof HttpError && status !== 500
      ? err.message
      : status < 500
        ? err.message || 'Bad request'
        : GENERIC_5XX;
  const fields = err instanceof HttpError ? err.fields : undefined;
  if (err instanceof HttpError) for (const [name, value] of Object.entries(err.headers ?? {})) c.header(name, value);
  const render = c.get('renderError') ?? renderJson;
  return render(c, status, message, fields);
}
