import { type Page, parsePage, queryParams } from '../core/page.js';

/** Where a visit came from, from the page URL and the referrer. */
export interface Source {
  /** The referrer's host, or an explicit `utm_source`, `ref` or `source` value. */
  readonly source: string | null;
  readonly utm_source: string | null;
  readonly utm_medium: string | null;
  readonly utm_campaign: string | null;
  readonly utm_term: string | null;
  readonly utm_content: string | null;
}

const MAX_PARAM = 200;

/**
 * Reads the campaign parameters of the page and the referrer's host.
 * A referrer from the site itself (its domain or a subdomain) is no source:
 * it is a visitor moving between pages.
 */
export function trafficSource(page: Page | null, referrer: string | null, siteDomain: string): Source {
  // The visit form route accepts relative URLs, which carry no campaign;
  // most pages have no query at all, and then no parameters are parsed.
  const params = page?.query ? queryParams(page) : undefined;
  const param = (name: string) => {
    const value = params?.get(name)?.trim();
    return value ? value.slice(0, MAX_PARAM) : null;
  };
  const utm_source = param('utm_source');
  const explicit = utm_source ?? param('ref') ?? param('source');
  return {
    source: explicit ?? referrerHost(referrer, siteDomain),
    utm_source,
    utm_medium: param('utm_medium'),
    utm_campaign: param('utm_campaign'),
    utm_term: param('utm_term'),
    utm_content: param('utm_content'),
  };
}

function referrerHost(referrer: string | null, siteDomain: string): string | null {
  if (!referrer) return null;
  const url = parsePage(referrer);
  if (url === null) return null;
  const host = withoutWww(url.hostname);
  return belongsTo(host, siteDomain) ? null : host;
}

/** Whether `host` is `domain` or one of its subdomains, ignoring a leading `www.` on either. */
export function belongsTo(host: string, domain: string): boolean {
  const h = withoutWww(host.toLowerCase());
  const d = withoutWww(domain.toLowerCase());
  return h === d || h.endsWith(`.${d}`);
}

function withoutWww(host: string): string {
  return host.startsWith('www.') ? host.slice(4) : host;
}
