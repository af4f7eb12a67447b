import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built tracker script, ready to serve. */
export interface TrackerBundle {
  readonly code: string;
  readonly etag: string;
}

/**
 * Where `npm run build` writes the tracker. This module and the server
 * bundles in dist/ are both one folder below the project root.
 */
export const TRACKER_FILE = fileURLToPath(new URL('../snippet/dist/sightline.js', import.meta.url));

/** Reads the built tracker once, at start-up, and fingerprints it for ETag. */
export function loadTracker(file: string = TRACKER_FILE): TrackerBundle {
  let code: string;
  try {
    code = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`The tracker bundle ${file} is missing: run "npm run build" first.`, { cause: error });
  }
  const etag = `"${createHash('sha256').update(code).digest('base64url').slice(0, 22)}"`;
  return { code, etag };
}
