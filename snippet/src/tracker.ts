/**
 * The tracker: read the tag's settings, send a page view. It runs inside
 * other people's pages, so nothing in here may throw into them.
 */

/** What the collector's `POST /api/event` accepts. */
export interface Payload {
  site: number;
  name: string;
  url: string;
  referrer: string;
}

/** The browser objects the tracker touches; a test passes happy-dom's. */
export interface Host {
  location: { href: string };
  document: { referrer: string };
  navigator: { sendBeacon?: (url: string, body: string) => boolean };
  console: { warn: (...args: unknown[]) => void };
}

/** Collector endpoint for events, found from the tracker's own `src`. */
export function eventEndpoint(src: string): string {
  return new URL('/api/event', src).href;
}

/** Sends one event; a failure is dropped, never thrown and never retried. */
export function send(host: Host, endpoint: string, payload: Payload): void {
  try {
    // A string body goes as text/plain: no CORS preflight, no cookies needed.
    host.navigator.sendBeacon?.(endpoint, JSON.stringify(payload));
  } catch {
    // The page must not notice.
  }
}

/** Starts tracking for the `<script>` tag that loaded us. */
export function start(script: HTMLOrSVGScriptElement | null, host: Host): void {
  try {
    const src = script && 'src' in script ? script.src : '';
    const site = Number(script?.getAttribute('data-site'));
    if (!src || !(site > 0)) {
      host.console.warn('Sightline: not tracking: the script tag needs src and data-site="ID"');
      return;
    }
    send(host, eventEndpoint(src), {
      site,
      name: 'pageview',
      url: host.location.href,
      referrer: host.document.referrer,
    });
  } catch {
    // Never break the host page.
  }
}
