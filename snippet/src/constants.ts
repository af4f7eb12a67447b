// Build-time constants: esbuild inlines them into the bundle.

/** Path of the collector's event endpoint, relative to the tracker's own src. */
export const EVENT_PATH = '/api/event';

/**
 * Visible stretches shorter than this are not reported as engagement: they
 * are mostly the flicker of a page being restored or switched past.
 */
export const MIN_ENGAGED_MS = 1000;
