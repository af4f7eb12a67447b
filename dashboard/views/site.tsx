import type { EventCursor } from '../../core/db/events.js';
import type { Event, Site } from '../../core/db/schema.js';
import { DROP_REASONS, type DropReason } from '../../core/stats.js';
import type { FiltersFormState } from '../forms.js';
import type { Realtime } from '../reports/realtime.js';
import type { Report } from '../reports/report.js';
import { type ReportState, reportQuery } from '../reports/state.js';
import { Csrf, PublicUrlNotice } from './form.js';
import { Layout, type Viewer } from './layout.js';
import { ReportSection } from './report.js';

const REASON_TEXT: Record<DropReason, string> = {
  bot: 'bot hits',
  host: 'hits from pages on other hosts',
  ip: 'hits from excluded addresses',
};

/** What only the owner sees on a site's page. */
export interface OwnerParts {
  viewer: Viewer;
  snippet: string;
  /** Where the snippet points when PUBLIC_URL is not set. */
  unsetPublicUrl: string | undefined;
  filters: FiltersFormState;
}

// One page's markup, top to bottom as it shows: longer than a function
// should be, but split into parts it would read out of order.
/**
 * A site's report: its events newest first and its filtered counts. Its
 * owner also sees the install snippet and the collector filters; a shared
 * link shows the report alone, read-only.
 */
export function SitePage(props: {
  site: Site;
  report: Report;
  state: ReportState;
  realtime: Realtime;
  /** Days still waiting for the roll-up job. */
  pending: number;
  events: Event[];
  next: EventCursor | undefined;
  paged: boolean;
  filtered: Record<string, number>;
  /** Where this report lives: `/site/1` or `/share/TOKEN`. */
  basePath: string;
  owner: OwnerParts | undefined;
}) {
  const { site, events, next, paged, filtered, basePath, owner, state } = props;
  const stateQuery = reportQuery(state).slice(1);
  return (
    <Layout title={site.name || site.base_url} viewer={owner?.viewer}>
      <h1>{site.name || site.base_url}</h1>
      <p class="muted">
        {owner === undefined ? 'Shared report, read-only' : `Site ${site.id}`} · {site.base_url}
        {owner === undefined ? null : (
          <>
            {' · '}
            <a href={`/site/${site.id}/settings`}>Settings</a>
          </>
        )}
      </p>

      <p class="muted" id="filtered">
        Filtered this month:{' '}
        {DROP_REASONS.map((reason) => `${(filtered[reason] ?? 0).toLocaleString('en-US')} ${REASON_TEXT[reason]}`).join(', ')}.
      </p>

      <ReportSection
        site={site}
        report={props.report}
        state={state}
        basePath={basePath}
        realtime={props.realtime}
        pending={props.pending}
      />

      <h2 id="events-list">
        Events <a href={`${basePath}/export/events.csv${reportQuery(state)}`}>CSV</a>
      </h2>
      {state.filters.length === 0 ? null : <p class="muted">Events whose own values match the filters.</p>}
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
              {owner === undefined ? null : <th>IP</th>}
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
                {/* Visitors' addresses are for the owner, not for whoever holds a share link. */}
                {owner === undefined ? null : <td>{event.ip ?? ''}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager">
        {paged ? <a href={`${basePath}?${stateQuery}#events-list`}>Newest</a> : null}
        {next === undefined ? null : <a href={`${basePath}?before=${next.ts}.${next.id}&${stateQuery}#events-list`}>Older events</a>}
      </nav>

      {owner === undefined ? null : (
        <>
          <h2>Install</h2>
          <p>Paste this into the &lt;head&gt; of every page of {site.domain}:</p>
          <textarea class="snippet" readonly rows={3} aria-label="Install snippet" id="snippet">
            {owner.snippet}
          </textarea>
          <PublicUrlNotice origin={owner.unsetPublicUrl} />
        </>
      )}

      {owner === undefined ? null : <FiltersForm site={site} filters={owner.filters} csrfToken={owner.viewer.csrfToken} />}
    </Layout>
  );
}

function FiltersForm({ site, filters, csrfToken }: { site: Site; filters: FiltersFormState; csrfToken: string }) {
  return (
    <>
      <h2 id="filters">Collector filters</h2>
      <form method="post" action={`/site/${site.id}/filters`}>
        <Csrf token={csrfToken} />
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
    </>
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
