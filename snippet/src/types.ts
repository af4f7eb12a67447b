/** Custom event properties, as the page passes them. */
export type Props = Record<string, string | number | boolean>;

/**
 * The body of `POST /api/event`: short keys, only what the collector needs.
 * Time, IP address and User-Agent come from the request itself. Which kind
 * of event it is follows from the keys: `n` for a custom event, `e` for
 * engagement, `o` for an outbound link, `d` for a download, else a page view.
 */
export interface Payload {
  /** Site id, from the tag's `data-site`. */
  s: number;
  /** Page URL, without the fragment unless `data-hash` is set. */
  u: string;
  /** Referrer, with the first page view of a page load. */
  r?: string;
  /** Custom event name. */
  n?: string;
  /** Custom event properties. */
  p?: Props | undefined;
  /** Engaged milliseconds since the last report for this page view. */
  e?: number;
  /** Outbound link clicked. */
  o?: string;
  /** File download link clicked. */
  d?: string;
}

/** The page's `sightline` function, or the stub's queue before we load. */
export type SightlineFn = ((name: string, options?: { props?: Props }) => void) & { q?: [string, { props?: Props }?][] };

declare global {
  interface Window {
    sightline?: SightlineFn;
  }
  interface Navigator {
    globalPrivacyControl?: boolean;
  }
  interface Document {
    prerendering?: boolean;
  }
}
