/** One period on the chart: its label (a day, an hour, a month) and its counts. */
export interface ChartPoint {
  label: string;
  visitors: number;
  pageviews: number;
}

// The drawing is in viewBox units and scales with the page. The box is
// narrow so that on a phone, where it shrinks least, the 11-unit text still
// comes out near 10 px; CHART_CSS caps the width so it does not grow huge.
const WIDTH = 360;
const HEIGHT = 200;
const LEFT = 36;
const RIGHT = WIDTH - 10;
const TOP = 10;
const BOTTOM = HEIGHT - 24;
const FONT = 11;
// A generous average glyph width for system-ui at FONT, to keep x labels apart.
const CHAR_WIDTH = FONT * 0.62;
const LABEL_GAP = 8;
const MAX_X_LABELS = 8;
const MAX_LABEL_CHARS = 12;
/** An hour's label, `YYYY-MM-DD HH:00`: its day and its time. */
const HOUR_LABEL = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})$/;
// Dots for the visitors line only while they stay apart.
const MAX_DOTS = 40;
// So that a handful of points gives bars, not slabs.
const MAX_BAR_WIDTH = 24;

/**
 * Classes for the chart, to append to the stylesheet. The page's CSP allows
 * neither style attributes nor style elements, so the SVG carries
 * presentation attributes (currentColor) that work alone, and these rules
 * give it the theme's colours in light and dark mode.
 */
export const CHART_CSS = `
.chart { margin: 1rem 0; }
.chart figcaption { font-weight: 600; }
.chart-svg { display: block; width: 100%; height: auto; max-width: 40rem; }
.chart-grid { stroke: var(--line); stroke-opacity: 1; }
.chart-axis { fill: var(--muted); font-variant-numeric: tabular-nums; }
.chart-pageviews { fill: var(--accent); fill-opacity: .22; }
.chart-visitors { stroke: var(--accent); }
.chart-dot { fill: var(--accent); }
.chart-hit:hover { fill: var(--fg); fill-opacity: .08; }
.chart-legend { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; list-style: none; margin: .25rem 0 .5rem; padding: 0; font-size: 13px; color: var(--muted); }
.chart-legend svg { vertical-align: middle; margin-right: .35rem; }
.chart-data summary { cursor: pointer; color: var(--muted); font-size: 13px; }
.chart-data table { margin-top: .5rem; font-variant-numeric: tabular-nums; }
`;

/**
 * Round y-axis ticks from 0 for counts up to `max`: 3 to 5 values a step of
 * 1, 2 or 5 × 10^n apart, the last one at least `max`.
 */
export function yTicks(max: number): number[] {
  const top = Number.isFinite(max) && max > 0 ? max : 0;
  const step = tickStep(top);
  const intervals = Math.max(2, Math.ceil(top / step));
  return Array.from({ length: intervals + 1 }, (_, i) => i * step);
}

/** The smallest of 1, 2, 5, 10, 20, 50, … (counts are whole) that covers `top` in at most 4 steps. */
function tickStep(top: number): number {
  for (let power = 1; ; power *= 10) {
    for (const m of [1, 2, 5]) if (Math.ceil(top / (m * power)) <= 4) return m * power;
  }
}

// The SVG chart's markup in drawing order (grid, axes, bars or line, labels):
// longer than a function should be, but split it would read out of order.
/**
 * A time series as an SVG chart: page views as light bars, visitors as a
 * line, hover titles for each period, a legend, and the numbers in a
 * collapsible table for touch screens and screen readers. No script.
 */
export function Chart(props: { points: readonly ChartPoint[]; caption: string }) {
  const { points, caption } = props;
  if (points.length === 0) {
    return (
      <figure class="chart">
        <figcaption>{caption}</figcaption>
        <p class="muted">No data for this period.</p>
      </figure>
    );
  }

  const n = points.length;
  const ticks = yTicks(Math.max(...points.map((p) => Math.max(count(p.visitors), count(p.pageviews)))));
  const top = ticks[ticks.length - 1] ?? 1;
  const band = (RIGHT - LEFT) / n;
  const xAt = (i: number) => LEFT + band * (i + 0.5);
  const yAt = (value: number) => BOTTOM - (count(value) / top) * (BOTTOM - TOP);
  // Below 3 units the bars touch and read as an area.
  const barWidth = Math.min(band > 3 ? band * 0.75 : band, MAX_BAR_WIDTH);
  const labels = xLabels(points, xAt);

  return (
    <figure class="chart">
      <figcaption>{caption}</figcaption>
      <ul class="chart-legend">
        <li>
          <Swatch series="visitors" />
          Visitors
        </li>
        <li>
          <Swatch series="pageviews" />
          Page views
        </li>
      </ul>
      <svg
        class="chart-svg"
        width="100%"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="xMinYMin meet"
        role="img"
        aria-label={summary(points)}
      >
        {ticks.map((tick) => (
          <g>
            <line
              class="chart-grid"
              x1={LEFT}
              x2={RIGHT}
              y1={round(yAt(tick))}
              y2={round(yAt(tick))}
              stroke="currentColor"
              stroke-opacity="0.2"
              stroke-width="1"
              vector-effect="non-scaling-stroke"
            />
            <text class="chart-axis" x={LEFT - 5} y={round(yAt(tick))} dy="0.35em" text-anchor="end" font-size={FONT} fill="currentColor">
              {compact(tick)}
            </text>
          </g>
        ))}
        {/* One path for all bars: adjacent rects would show hairline seams. */}
        <path
          class="chart-pageviews"
          fill="currentColor"
          fill-opacity="0.25"
          d={points
            .map((p, i) => `M${round(xAt(i) - barWidth / 2)} ${BOTTOM}V${round(yAt(p.pageviews))}h${round(barWidth)}V${BOTTOM}Z`)
            .join('')}
        />
        {n > 1 ? (
          <polyline
            class="chart-visitors"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linejoin="round"
            stroke-linecap="round"
            vector-effect="non-scaling-stroke"
            points={points.map((p, i) => `${round(xAt(i))},${round(yAt(p.visitors))}`).join(' ')}
          />
        ) : null}
        {n <= MAX_DOTS
          ? points.map((p, i) => <circle class="chart-dot" cx={round(xAt(i))} cy={round(yAt(p.visitors))} r="2.5" fill="currentColor" />)
          : null}
        {labels.map(({ text, x }) => (
          <text class="chart-axis chart-x" x={round(x)} y={BOTTOM + 16} text-anchor="middle" font-size={FONT} fill="currentColor">
            {text}
          </text>
        ))}
        {/* Last, so the transparent targets sit above the drawing and get the hover. */}
        {points.map((p, i) => (
          <g>
            <title>{`${p.label}: ${counted(p.visitors, 'visitor', 'visitors')}, ${counted(p.pageviews, 'page view', 'page views')}`}</title>
            <rect class="chart-hit" x={round(LEFT + band * i)} y={TOP} width={round(band)} height={BOTTOM - TOP} fill="transparent" />
          </g>
        ))}
      </svg>
      <details class="chart-data">
        <summary>Data</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col" class="num">
                Visitors
              </th>
              <th scope="col" class="num">
                Page views
              </th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr>
                <td>{p.label}</td>
                <td class="num">{p.visitors.toLocaleString('en-US')}</td>
                <td class="num">{p.pageviews.toLocaleString('en-US')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** The legend's sample of a series, drawn with the chart's own classes so it matches in both themes. */
function Swatch({ series }: { series: 'visitors' | 'pageviews' }) {
  return (
    <svg width="16" height="10" viewBox="0 0 16 10" aria-hidden="true">
      {series === 'visitors' ? (
        <line class="chart-visitors" x1="1" x2="15" y1="5" y2="5" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
      ) : (
        <rect class="chart-pageviews" x="0" y="0" width="16" height="10" fill="currentColor" fill-opacity="0.25" />
      )}
    </svg>
  );
}

/**
 * Which x labels to show and where: every k-th, k the smallest that keeps
 * them at most MAX_X_LABELS and, at the widest label's estimated width,
 * apart. The outer ones are pulled inside the box rather than clipped.
 */
function xLabels(points: readonly ChartPoint[], xAt: (i: number) => number): { text: string; x: number }[] {
  // Hours of one day are told apart by their time alone: "14:00", not "2026-12-02 14:00".
  const oneDay = new Set(points.map((p) => HOUR_LABEL.exec(p.label)?.[1] ?? p.label)).size === 1;
  const texts = points.map((p) => shorten(oneDay ? (HOUR_LABEL.exec(p.label)?.[2] ?? p.label) : p.label));
  const width = Math.max(...texts.map((t) => Array.from(t).length)) * CHAR_WIDTH;
  const place = (i: number) => Math.min(Math.max(xAt(i), width / 2), WIDTH - width / 2);
  for (let step = Math.ceil(points.length / MAX_X_LABELS); ; step++) {
    const chosen: { text: string; x: number }[] = [];
    for (let i = 0; i < points.length; i += step) chosen.push({ text: texts[i] ?? '', x: place(i) });
    const apart = chosen.every((label, j) => j === 0 || label.x - (chosen[j - 1]?.x ?? 0) >= width + LABEL_GAP);
    if (apart || chosen.length === 1) return chosen;
  }
}

/** What a screen reader says for the chart: the range and the peaks. */
function summary(points: readonly ChartPoint[]): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) return '';
  const peak = (key: 'visitors' | 'pageviews') => points.reduce((best, p) => (count(p[key]) > count(best[key]) ? p : best), first);
  const range = points.length === 1 ? first.label : `${points.length} periods from ${first.label} to ${last.label}`;
  const visitors = peak('visitors');
  const pageviews = peak('pageviews');
  return (
    `Visitors (line) and page views (bars), ${range}. ` +
    `Most visitors: ${visitors.visitors.toLocaleString('en-US')} (${visitors.label}); ` +
    `most page views: ${pageviews.pageviews.toLocaleString('en-US')} (${pageviews.label}).`
  );
}

/** A count fit to draw: NaN, infinities and negatives would bend the geometry, so they draw as 0. */
function count(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** `n` and its noun: 1 visitor, 1,234 visitors. */
function counted(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Axis text short enough for the narrow left margin: 1,500 as 1.5k. */
function compact(n: number): string {
  for (const [size, suffix] of [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (n >= size) return `${(n / size).toLocaleString('en-US', { maximumFractionDigits: 1 })}${suffix}`;
  }
  return n.toLocaleString('en-US');
}

/** An x label cut to fit; the full one is in the hover title and the table. */
function shorten(label: string): string {
  const chars = Array.from(label);
  return chars.length > MAX_LABEL_CHARS ? `${chars.slice(0, MAX_LABEL_CHARS - 1).join('')}…` : label;
}

// Two decimals is well below a pixel and keeps the markup short.
function round(n: number): number {
  return Math.round(n * 100) / 100;
}
