import type { EventCursor } from '../../collector/db/events.js';
import type { Event, Site } from '../../collector/db/schema.js';
import { DROP_REASONS, type DropReason } from '../../collector/filter.js';
import { CSRF_FIELD } from '../csrf.js';
import type { FiltersFormState } from '../forms.js';
import { Layout } from './layout.js';

const REASON_TEXT: Record<DropReason, string> = {
  bot: 'bot hits',
  host: 'hits from pages on other hosts',
  ip: 'hits from excluded addresses',
};

/** A site's page: its install snippet, its events newest first, and its collector filters. */
export function SitePage(props: {
  site: Site;
  snippet: string;
  events: Event[];
  next: EventCursor | undefined;
  paged: boolean;
  filtered: Record<string, number>;
  filters: FiltersFormState;
  csrfToken: string;
}) {
  const { site, snippet, events, next, paged, filtered, filters, csrfToken } = props;
  return (
    <Layout title={site.name || site.base_url}>
      <h1>{site.name || site.base_url}</h1>
      <p class="muted">
        Site {site.id} · {site.base_url}
      </p>

      <h2>Install</h2>
      <p>Paste this into the &lt;head&gt; of every page of {site.domain}:</p>
      <textarea class="snippet" readonly rows={3} aria-label="Install snippet" id="snippet">
        {snippet}
      </textarea>

      <p class="muted" id="filtered">
        Filtered this month:{' '}
        {DROP_REASONS.map((reason) => `${(filtered[reason] ?? 0).toLocaleString('en-US')} ${REASON_TEXT[reason]}`).join(', ')}.
      </p>

      <h2>Events</h2>
      {events.length === 0 ? (
        <p>{paged ? 'No older events.' : 'No events yet. Once the snippet is on a page, each visit shows up here.'}</p>
      ) : (
        <table id="events">
          <thead>
            <tr>
              <th>Time (UTC)</th>
              <th>Event</th>
              <th>URL</th>
              <th>Referrer</th>
              <th>Details</th>
              <th>Browser</th>
              <th>IP</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr>
                <td class="nowrap">{formatTime(event.ts)}</td>
                <td>{event.name}</td>
                <td class="wrap">{event.url}</td>
                <td class="wrap">{event.referrer ?? ''}</td>
                <td class="wrap">{details(event)}</td>
                <td class="wrap">{event.browser ?? ''}</td>
                <td>{event.ip ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager">
        {paged ? <a href={`/site/${site.id}`}>Newest</a> : null}
        {next === undefined ? null : <a href={`/site/${site.id}?before=${next.ts}.${next.id}`}>Older events</a>}
      </nav>

      <h2 id="filters">Collector filters</h2>
      <form method="post" action={`/site/${site.id}/filters`}>
        <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
        <p class="field">
          <label>
            <input type="checkbox" name="allow_any_host" checked={filters.values.allowAnyHost} /> Count pages on any host, not only{' '}
            {site.domain} and its subdomains
          </label>
        </p>
        <p class={filters.errors.excluded_ips === undefined ? 'field' : 'field invalid'}>
          <label for="excluded_ips">Excluded IP addresses and networks, one per line (your office, say)</label>
          <textarea id="excluded_ips" name="excluded_ips" rows={4} placeholder={'203.0.113.7\n2001:db8::/48'}>
            {filters.values.excludedIps}
          </textarea>
          {filters.errors.excluded_ips === undefined ? null : <span class="error">{filters.errors.excluded_ips}</span>}
        </p>
        <button type="submit">Save filters</button>
      </form>
    </Layout>
  );
}

/** Properties as `key: value` pairs, and engaged time in seconds. */
function details(event: Event): string {
  const parts: string[] = [];
  if (event.engaged_ms !== null) parts.push(`${(event.engaged_ms / 1000).toFixed(1)} s engaged`);
  if (event.props !== null) {
    for (const [key, value] of Object.entries(JSON.parse(event.props) as Record<string, unknown>)) parts.push(`${key}: ${String(value)}`);
  }
  return parts.join(', ');
}

function formatTime(ts: number): string {
  return new Date(ts).toISOString().replace('T', ' ').slice(0, 19);
}
