import type { EventCursor } from '../../collector/db/events.js';
import type { Event, Site } from '../../collector/db/schema.js';
import { Layout } from './layout.js';

/** A site's page: its install snippet and its events, newest first. */
export function SitePage(props: { site: Site; snippet: string; events: Event[]; next: EventCursor | undefined; paged: boolean }) {
  const { site, snippet, events, next, paged } = props;
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
