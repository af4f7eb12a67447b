/** The path the collector serves the tracker at; the install snippet points here. */
export const TRACKER_PATH = '/sightline.js';

/** Where the install snippet's <noscript> image points. */
export const PIXEL_PATH = '/api/pixel';
