import { EVENT_PATH, FILE_PATH, MIN_ENGAGED_MS } from './constants.js';
import type { Payload, Props } from './types.js';

/**
 * Starts tracking for the `<script>` tag that loaded us: page views (also
 * on single-page-app navigation and back/forward-cache restores), custom
 * events, outbound and download clicks, and engaged time.
 */
export function start(script: HTMLScriptElement | null): void {
  const data = (name: string) => script?.dataset[name];
  const flag = (name: string) => data(name) != null;
  const hashMode = flag('hash');
  const site = +(data('site') as string);
  const warned: Record<string, string> = {};
  const warn = (reason: string) => warned[reason] || console.warn(`Sightline: ${(warned[reason] = reason)}`);

  let url: string;
  let path: string | undefined;
  // Engagement: `since` is when the current visible stretch began (0 while
  // hidden); `used` is visible time not reported yet.
  let since = 0;
  let used = 0;

  const send = (extra: Partial<Payload>) => {
    try {
      const reason = !(site > 0)
        ? 'no-site'
        : // file: pages have an empty hostname.
          !flag('allowLocal') && /^(localhost$|127\.|\[::1]|$)/.test(location.hostname)
          ? 'local'
          : navigator.webdriver
            ? 'webdriver'
            : localStorage.sightline_ignore
              ? 'opt-out'
              : !flag('allowDnt') && (navigator.globalPrivacyControl || navigator.doNotTrack == '1')
                ? 'dnt'
                : self != parent && !flag('allowFrame')
                  ? 'frame'
                  : '';
      // Resolved here, inside the try: a bad data-api must not throw from start().
      const endpoint = new URL(data('api') || EVENT_PATH, (script as HTMLScriptElement).src);
      const body = JSON.stringify({ s: site, u: url, ...extra });
      reason
        ? warn(reason)
        : navigator.sendBeacon?.(endpoint, body) || fetch(endpoint, { method: 'POST', body, keepalive: true }).catch(warn);
    } catch {
      // Blocked storage and the like: the host page must never notice.
    }
  };

  // Reports the visible time not yet reported. visibilitychange, pagehide and
  // navigation may all fire for one departure; each stretch still counts once.
  const report = () => {
    const now = Date.now();
    if (since) used += now - since;
    since = document.hidden ? 0 : now;
    if (used >= MIN_ENGAGED_MS) send({ e: used });
    used = 0;
  };

  // A new page view only when the path changes: a replaceState that keeps
  // the path (or changes only the query) is the same view.
  const view = () => {
    const next = location.pathname + (hashMode ? location.hash : '');
    if (next != path) {
      report();
      url = location.href.replace(hashMode ? '' : /#.*/, '');
      // The referrer belongs to the page load, not to later in-app views.
      send({ r: path ? '' : document.referrer });
      path = next;
    }
  };

  const begin = () => {
    view();
    for (const method of ['pushState', 'replaceState'] as const) {
      const original = history[method];
      history[method] = function (this: History) {
        // biome-ignore lint/complexity/noArguments: forwards whatever the page passed, at the fewest bytes.
        original.apply(this, arguments as unknown as Parameters<History['pushState']>);
        view();
      };
    }
    // Events from document bubble up to window, so one target serves all.
    addEventListener('popstate', view);
    addEventListener('pageshow', (event) => event.persisted && ((path = ''), view()));
    addEventListener('visibilitychange', report);
    addEventListener('pagehide', report);
    const onClick = (event: MouseEvent) => {
      const link = event.button < 2 && ((event.target as Element).closest?.('[href],[data-sightline-event]') as HTMLAnchorElement | null);
      const name = link && link.getAttribute('data-sightline-event');
      const props: Props = {};
      link &&
        (name
          ? (Array.from(
              link.attributes,
              ({ name: key, value }) => key.startsWith('data-sightline-prop-') && (props[key.slice(20)] = value),
            ),
            send({ n: name, p: props }))
          : link.host && link.host != location.host
            ? send({ o: link.href })
            : (FILE_PATH.test(link.pathname) || link.hasAttribute('download')) && send({ d: link.href }));
    };
    addEventListener('click', onClick);
    addEventListener('auxclick', onClick);
  };

  // Custom events; calls that the stub queued before we loaded replay in order.
  const custom = (name: string, options?: { props?: Props }) => send({ n: name, p: options?.props });
  for (const args of self.sightline?.q || []) custom(...args);
  self.sightline = custom;

  if (document.prerendering) {
    // A prerendered page may never be seen: count it once it is shown.
    warn('prerender');
    document.addEventListener('prerenderingchange', begin);
  } else {
    begin();
  }
}
