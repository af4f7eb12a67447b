/** What the collector reads from a page's or a referrer's URL. */
export interface Page {
  /** As the URL standard gives it: lowercase, punycode for other scripts. */
  readonly hostname: string;
  /** The query, without its `?`; '' when there is none. */
  readonly query: string;
}

// The common shape: http(s), a host of lowercase letters, digits, hyphens
// and dots, then the path, the query, the fragment or the end. No user, no
// port, no backslash: those, and anything else, go through URL.
const PLAIN = /^https?:\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?=[/?#]|$)/;
// The standard reads a host whose last label is a number as an IPv4 address.
const NUMERIC_LAST_LABEL = /(?:^|\.)(?:\d+|0x[0-9a-f]*)$/;
// Only printable ASCII takes the plain path. The standard drops tabs and
// newlines anywhere, and spaces and control characters at either end, before
// it parses; and it percent-encodes other characters, which URLSearchParams
// then reads differently from raw text when a query also holds a %XX that is
// not UTF-8. Browsers send page URLs and referrers percent-encoded.
const NOT_PRINTABLE_ASCII = /[^!-~]/;

/**
 * Parses an absolute http(s) URL, as the URL standard does, into what the
 * collector reads of it; null for anything else. Nearly every URL is plain
 * and read with one regular expression: building a URL object for every
 * event is a cost the collector feels under load. The rest go through URL. A property test
 * holds both paths to URL's answers.
 */
export function parsePage(text: string): Page | null {
  const plain = PLAIN.exec(text);
  if (plain !== null && !NOT_PRINTABLE_ASCII.test(text)) {
    const hostname = plain[1] as string;
    if (!hostname.includes('xn--') && !NUMERIC_LAST_LABEL.test(hostname)) {
      return { hostname, query: queryOf(text, plain[0].length) };
    }
  }
  const url = parseHttpUrl(text);
  return url === null ? null : { hostname: url.hostname, query: url.search.slice(1) };
}

/**
 * The query's parameters, as `URL.searchParams` reads them. The
 * URLSearchParams constructor would drop a leading `?` of the query itself
 * (`https://example.com/??a=b`); the `&` in front, an empty pair, keeps it.
 */
export function queryParams(page: Page): URLSearchParams {
  return new URLSearchParams(`&${page.query}`);
}

/** An absolute http(s) URL, parsed, or null for anything else. */
export function parseHttpUrl(text: string): URL | null {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** The query of a URL whose host ends at `from`: after the first `?`, up to a `#`. */
function queryOf(text: string, from: number): string {
  const question = text.indexOf('?', from);
  if (question === -1) return '';
  const hash = text.indexOf('#', from);
  if (hash !== -1 && hash < question) return '';
  return text.slice(question + 1, hash === -1 ? undefined : hash);
}
