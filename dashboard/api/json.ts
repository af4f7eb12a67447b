/** The API's JSON: sites, periods, totals, breakdown rows and events as it answers them. */
import type { BreakdownRow, Sums } from '../../core/db/rollup-sums.js';
import type { Event, Site } from '../../core/db/schema.js';
import type { ReportState } from '../reports/state.js';
import { topLine } from '../reports/top-line.js';

export function siteJson(site: Site) {
  return {
    id: site.id,
    name: site.name,
    base_url: site.base_url,
    domain: site.domain,
    timezone: site.timezone,
    created_at: new Date(site.created_at).toISOString(),
  };
}

export function periodJson(state: ReportState, site: Site) {
  return { name: state.period.name, from: state.period.from, to: state.period.to, timezone: site.timezone, filters: state.filters };
}

export function totalsJson(sums: Sums) {
  const line = topLine(sums);
  return {
    visitors: sums.visitors,
    visits: sums.visits,
    pageviews: sums.pageviews,
    views_per_visit: line.viewsPerVisit,
    bounce_rate: line.bounceRate,
    visit_duration_ms: Math.round(line.visitDuration),
    events: sums.events,
  };
}

export function rowJson(row: BreakdownRow, totalVisitors: number) {
  return {
    value: row.value,
    visitors: row.visitors,
    visits: row.visits,
    pageviews: row.pageviews,
    events: row.events,
    share: totalVisitors === 0 ? 0 : row.visitors / totalVisitors,
    bounce_rate: row.visits === 0 ? 0 : row.bounces / row.visits,
    visit_duration_ms: row.visits === 0 ? 0 : Math.round(row.duration_ms / row.visits),
    time_on_page_ms: timeOnPage(row),
  };
}

/** As the dashboard shows it: per page view for pages, per exit for exit pages, none for the rest. */
function timeOnPage(row: BreakdownRow): number | null {
  const per = row.dimension === 'page' ? row.pageviews : row.dimension === 'exit_page' ? row.visits : 0;
  return per === 0 ? null : Math.round(row.engaged_ms / per);
}

export function eventJson(event: Event) {
  const { site_id: _site, ...rest } = event;
  return { ...rest, time: new Date(event.ts).toISOString(), props: event.props === null ? null : (JSON.parse(event.props) as unknown) };
}
