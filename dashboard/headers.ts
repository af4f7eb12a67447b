import type { MiddlewareHandler } from 'hono';

/**
 * The dashboard runs no script of its own yet and inlines nothing, so its
 * policy allows only same-origin styles and images and no script at all:
 * a value that slipped through escaping still could not run.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Answers that are not to be kept by browsers or proxies (ASVS 8.2.1): pages
 * show API keys, share links, invitations and visitors' addresses. An
 * answer that sets its own Cache-Control (the stylesheet) keeps it.
 */
export function noStore(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  };
}

/** Security headers on every dashboard answer; `noStore` too. */
export function securityHeaders(): MiddlewareHandler {
  const store = noStore();
  return async (c, next) => {
    await store(c, next);
    c.res.headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.res.headers.set('X-Frame-Options', 'DENY');
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('Referrer-Policy', 'same-origin');
  };
}
