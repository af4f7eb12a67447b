import { EVENT_PATH, MIN_ENGAGED_MS } from './constants.js';
import type { Payload, Props } from './types.js';

/**
 * Starts tracking for the `<script>` tag that loaded us: page views (also
 * on single-page-app navigation and back/forward-cache restores), custom
 * events, outbound and download clicks, and engaged time.
 *
 * One long function on purpose: its parts share state through closures,
 * which the minifier shrinks to single letters. Split into module functions
 * they would pass that state around, and the tracker would outgrow its size
 * budget (snippet/budget.json).
 */
export function start(script: HTMLScriptElement | null): void {
  const data = (name: string) => script?.dataset[name];
  const flag = (name: string) => data(name) != null;
  const hashMode = flag('hash');
  const site = +(data('site') as string);
  const warned: Record<string, unknown> = {};
  // A reason, or an error: as a key and in the message, an error reads as its text.
  const warn = (reason: unknown) => {
    if (!warned[reason as string]) {
      warned[reason as string] = reason;
      console.warn(`sightline: ${reason}`);
    }
  };

  let url: string;
  let path: string | undefined;
  // Engagement: `since` is when the current visible stretch began (0 while
  // hidden); `used` is visible time not reported yet.
  let since = 0;
  let used = 0;

  const send = (extra: Partial<Payload>) => {
    try {
      // Why the event is not sent: the first reason whose test holds, in
      // this order. Each test runs only when those before it fail: reading
      // localStorage may throw.
      const reason =
        (!(site > 0) && 'no-site') ||
        // file: pages have an empty hostname. A name that starts with 127. is
        // taken for local too: wildcard-DNS names such as 127.0.0.1.nip.io.
        (!flag('allowLocal') && /^(localhost$|127\.|\[::1]|$)/.test(location.hostname) && 'local') ||
        (navigator.webdriver && 'webdriver') ||
        (localStorage.sightline_ignore && 'opt-out') ||
        (!flag('allowDnt') && (navigator.globalPrivacyControl || navigator.doNotTrack === '1') && 'dnt') ||
        (self !== top && !flag('allowFrame') && 'frame');
      // Resolved here, inside the try: a bad data-api must not throw from start().
      const endpoint = new URL(data('api') || EVENT_PATH, (script as HTMLScriptElement).src);
      const body = JSON.stringify({ s: site, u: url, ...extra });
      reason
        ? warn(reason)
        : navigator.sendBeacon?.(endpoint, body) || fetch(endpoint, { method: 'POST', body, keepalive: true }).catch(warn);
    } catch (error) {
      // Storage blocked, say: nothing is sent, the page never notices, and
      // the console names the error once, like any other reason.
      warn(error);
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
    if (next !== path) {
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
    addEventListener('pageshow', (event) => {
      if (event.persisted) {
        // Not a path, so the view counts again; truthy, so the referrer is not sent twice.
        path = ' ';
        view();
      }
    });
    addEventListener('visibilitychange', report);
    addEventListener('pagehide', report);
    const onClick = (event: MouseEvent) => {
      const link = event.button < 2 && ((event.target as Element).closest?.('a,[data-sightline-event]') as HTMLAnchorElement | null);
      if (!link) return;
      const name = link.getAttribute('data-sightline-event');
      if (name) {
        const props: Props = {};
        for (const { name: key, value } of link.attributes) {
          if (key.startsWith('data-sightline-prop-')) props[key.slice(20)] = value;
        }
        send({ n: name, p: props });
      } else if (link.host) {
        // Only links with a host: mailto:, tel: and javascript: have none.
        if (link.host !== location.host) send({ o: link.href });
        // A download: a path ending in an extension other than a web page's
        // (.html, .htm, .php, .asp, .aspx), or a download attribute. The
        // literal is written here rather than kept as a shared constant: the
        // bundle is smaller when the regex is not hoisted out of start().
        else if (/\.(?!html?$|php$|aspx?$)\w+$/i.test(link.pathname) || link.hasAttribute('download')) send({ d: link.href });
      }
    };
    addEventListener('click', onClick);
    addEventListener('auxclick', onClick);

    // Custom events. Calls the stub queued before now (while prerendering,
    // too) replay in order, after the page view they belong to.
    const custom = (name: string, options?: { props?: Props }) => send({ n: name, p: options?.props });
    for (const args of self.sightline?.q || []) custom(...args);
    self.sightline = custom;
  };

  if (document.prerendering) {
    // A prerendered page may never be seen: count it once it is shown.
    warn('prerender');
    document.addEventListener('prerenderingchange', begin);
  } else {
    begin();
  }
}
