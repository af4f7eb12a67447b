import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The dashboard runs no script of its own yet and inlines nothing, so its
 * policy allows only same-origin styles and images and no script at all:
 * a value that slipped through escaping still could not run.
 */
const POLICY = {
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  formAction: ["'self'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
};

/** The Content-Security-Policy header's value, as Hono writes it from POLICY. */
export const CONTENT_SECURITY_POLICY = Object.entries(POLICY)
  .map(([name, sources]) => `${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} ${sources.join(' ')}`)
  .join('; ');

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

/**
 * Security headers on every dashboard answer, by Hono's middleware with
 * stricter choices than its defaults (no framing at all, the referrer kept
 * to this origin); `noStore` too. No Strict-Transport-Security: whether a
 * host is https-only for months is for whoever ends TLS (the proxy) to
 * say, not a server that may be reached over plain http.
 */
export function securityHeaders(): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: POLICY,
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
    strictTransportSecurity: false,
  });
  const store = noStore();
  return async (c, next) => {
    await headers(c, async () => {
      await store(c, next);
    });
  };
}
