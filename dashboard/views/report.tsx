import type { BreakdownRow, Sums } from '../../core/db/rollup-sums.js';
import type { Site } from '../../core/db/schema.js';
import type { Dimension } from '../reports/dimensions.js';
import type { Realtime } from '../reports/realtime.js';
import { PERIODS, type Report } from '../reports/report.js';
import { filterable, type ReportState, reportQuery } from '../reports/state.js';
import { topLine } from '../reports/top-line.js';
import { Chart } from './chart.js';

/** What each breakdown is called. */
export const DIMENSION_TITLES: Record<Dimension, string> = {
  page: 'Pages',
  entry_page: 'Entry pages',
  exit_page: 'Exit pages',
  source: 'Sources',
  utm_source: 'UTM sources',
  utm_medium: 'UTM media',
  utm_campaign: 'UTM campaigns',
  utm_term: 'UTM terms',
  utm_content: 'UTM contents',
  country: 'Countries',
  region: 'Regions',
  city: 'Cities',
  browser: 'Browsers',
  browser_version: 'Browser versions',
  os: 'Operating systems',
  device: 'Devices',
  event: 'Custom events',
  prop: 'Event properties',
};

const PERIOD_TITLES: Record<(typeof PERIODS)[number], string> = {
  today: 'Today',
  yesterday: 'Yesterday',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  month: 'This month',
  'last-month': 'Last month',
  '12mo': 'Last 12 months',
  custom: 'Custom range',
};

// The order of the panels; region and city appear only with a city database.
const PANELS: Dimension[][] = [
  ['page', 'entry_page', 'exit_page'],
  ['source', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'],
  ['country', 'region', 'city'],
  ['browser', 'browser_version', 'os', 'device'],
  ['event', 'prop'],
];

const countries = new Intl.DisplayNames(['en'], { type: 'region' });

/** A breakdown value as a person reads it. */
export function valueLabel(dimension: Dimension, value: string): string {
  if (value === '') return dimension === 'source' ? 'Direct / None' : '(unknown)';
  if (dimension === 'country') {
    try {
      return `${countries.of(value) ?? value} (${value})`;
    } catch {
      return value;
    }
  }
  if (dimension === 'prop') {
    const [name, key, prop] = JSON.parse(value) as [string, string, string];
    return `${name}: ${key} = ${prop}`;
  }
  return value;
}

/** Milliseconds as `1m 05s`. */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

const count = (n: number) => n.toLocaleString('en-US');
const percent = (part: number, whole: number) => (whole === 0 ? '—' : `${Math.round((part / whole) * 100)}%`);

function change(now: number, before: number, points = false): string {
  if (points) {
    const delta = Math.round((now - before) * 100);
    return `${delta > 0 ? '+' : ''}${delta} pts`;
  }
  if (before === 0) return now === 0 ? '0%' : 'new';
  const delta = Math.round(((now - before) / before) * 100);
  return `${delta > 0 ? '+' : ''}${delta}%`;
}

// One page's markup, top to bottom as it shows: longer than a function
// should be, but split into parts it would read out of order.
/** The report: period, filters, top line, chart, realtime and every breakdown. */
export function ReportSection(props: {
  site: Site;
  report: Report;
  state: ReportState;
  basePath: string;
  realtime: Realtime;
  pending: number;
}) {
  const { report, state, basePath } = props;
  const now = topLine(report.totals);
  const before = topLine(report.previous);
  const link = (query: string) => `${basePath}${query}`;
  const cards: Array<[string, string, string]> = [
    ['Unique visitors', count(now.visitors), change(now.visitors, before.visitors)],
    ['Visits', count(now.visits), change(now.visits, before.visits)],
    ['Page views', count(now.pageviews), change(now.pageviews, before.pageviews)],
    ['Views per visit', now.viewsPerVisit.toFixed(2), change(now.viewsPerVisit, before.viewsPerVisit)],
    ['Bounce rate', percent(report.totals.bounces, report.totals.visits), change(now.bounceRate, before.bounceRate, true)],
    ['Visit duration', duration(now.visitDuration), change(now.visitDuration, before.visitDuration)],
  ];
  return (
    <section id="report">
      <nav class="periods" aria-label="Period">
        {PERIODS.filter((name) => name !== 'custom').map((name) => (
          <a href={link(reportQuery(state, { period: name }))} aria-current={state.period.name === name ? 'page' : undefined}>
            {PERIOD_TITLES[name]}
          </a>
        ))}
        <form method="get" action={basePath} class="custom-range">
          <input type="hidden" name="period" value="custom" />
          {state.filters.map((filter) => (
            <input type="hidden" name="f" value={`${filter.dimension}:${filter.value}`} />
          ))}
          <label>
            From <input type="date" name="from" value={state.period.from} />
          </label>
          <label>
            to <input type="date" name="to" value={state.period.to} />
          </label>
          <button type="submit">Show</button>
        </form>
      </nav>
      <p class="muted">
        {PERIOD_TITLES[state.period.name]}:{' '}
        {state.period.from === state.period.to ? state.period.from : `${state.period.from} to ${state.period.to}`} ({props.site.timezone}),
        compared with the {state.period.from === state.period.to ? 'day' : 'days'} before.
        {props.pending > 0 ? ` Catching up: about ${props.pending} stored events are not in these numbers yet; reload in a moment.` : ''}
      </p>
      {state.filters.length === 0 ? null : (
        <p class="chips" id="filters-applied">
          Filtered by:{' '}
          {state.filters.map((filter) => (
            <a class="chip" href={link(reportQuery(state, { remove: filter }))} title="Remove this filter">
              {DIMENSION_TITLES[filter.dimension]}: {valueLabel(filter.dimension, filter.value)} ×
            </a>
          ))}
        </p>
      )}
      <dl class="cards" id="top-line">
        {cards.map(([title, value, delta]) => (
          <div class="card">
            <dt>{title}</dt>
            <dd>
              <span class="big">{value}</span> <span class="muted">{delta}</span>
            </dd>
          </div>
        ))}
      </dl>
      <Chart points={report.series} caption="Visitors and page views" />
      <p id="realtime">
        {props.realtime.capped ? 'At least ' : ''}
        <strong>{count(props.realtime.visitors)}</strong> {props.realtime.visitors === 1 ? 'visitor' : 'visitors'} in the last 5 minutes
        {props.realtime.pages.length === 0
          ? '.'
          : `, on ${props.realtime.pages.map((page) => `${page.page} (${page.visitors})`).join(', ')}.`}{' '}
        <a href={`${basePath}/realtime`}>Live view</a>
      </p>
      {PANELS.map((panel) => (
        <div class="panel">
          {panel.map((dimension) => (
            <Breakdown dimension={dimension} rows={report.breakdowns[dimension]} totals={report.totals} state={state} basePath={basePath} />
          ))}
        </div>
      ))}
    </section>
  );
}

function Breakdown(props: { dimension: Dimension; rows: BreakdownRow[]; totals: Sums; state: ReportState; basePath: string }) {
  const { dimension, rows, totals, state, basePath } = props;
  // Region, city and the rarer UTM fields only when they have data.
  if (rows.length === 0 && !['page', 'source', 'country', 'browser', 'os', 'device', 'event'].includes(dimension)) return null;
  const columns = extraColumns(dimension);
  return (
    <div class="breakdown" id={`breakdown-${dimension}`}>
      <h3>
        {DIMENSION_TITLES[dimension]} <a href={`${basePath}/export/${dimension}.csv${reportQuery(state)}`}>CSV</a>
      </h3>
      {rows.length === 0 ? (
        <p class="muted">Nothing in this period.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{DIMENSION_TITLES[dimension]}</th>
              <th class="num">Visitors</th>
              <th class="num">{dimension === 'event' || dimension === 'prop' ? 'Events' : 'Page views'}</th>
              <th class="num">{dimension === 'event' ? 'Conversion rate' : 'Share'}</th>
              {columns.map(([title]) => (
                <th class="num">{title}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <td class="wrap">
                  {filterable(dimension) ? (
                    <a
                      href={`${basePath}${reportQuery(state, { add: { dimension: dimension as Exclude<Dimension, 'prop'>, value: row.value } })}`}
                    >
                      {valueLabel(dimension, row.value)}
                    </a>
                  ) : (
                    valueLabel(dimension, row.value)
                  )}
                </td>
                <td class="num">{count(row.visitors)}</td>
                <td class="num">{count(dimension === 'event' || dimension === 'prop' ? row.events : row.pageviews)}</td>
                <td class="num">{percent(row.visitors, totals.visitors)}</td>
                {columns.map(([, cell]) => (
                  <td class="num">{cell(row)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

type Column = [string, (row: BreakdownRow) => string];

/** Columns beyond visitors, page views and share, per kind of breakdown. */
export function extraColumns(dimension: Dimension): Column[] {
  const timeOnPage: Column = ['Time on page', (row) => (row.pageviews === 0 ? '—' : duration(row.engaged_ms / row.pageviews))];
  switch (dimension) {
    case 'page':
      return [timeOnPage];
    case 'entry_page':
      return [
        ['Entries', (row) => count(row.visits)],
        ['Bounce rate', (row) => percent(row.bounces, row.visits)],
      ];
    case 'exit_page':
      return [
        ['Exits', (row) => count(row.visits)],
        ['Time on page', (row) => (row.visits === 0 ? '—' : duration(row.engaged_ms / row.visits))],
      ];
    case 'event':
    case 'prop':
      return [];
    default:
      return [
        ['Visits', (row) => count(row.visits)],
        ['Bounce rate', (row) => percent(row.bounces, row.visits)],
        ['Visit duration', (row) => (row.visits === 0 ? '—' : duration(row.duration_ms / row.visits))],
      ];
  }
}
