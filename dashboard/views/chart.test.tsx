import fc from 'fast-check';
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { Chart, type ChartPoint, yTicks } from './chart.js';

async function render(points: readonly ChartPoint[], caption = 'Visitors per day'): Promise<string> {
  return await (<Chart points={points} caption={caption} />).toString();
}

/** The rendered chart parsed by an HTML parser, as a browser would see it. */
async function parse(points: readonly ChartPoint[], caption?: string) {
  const html = await render(points, caption);
  const document = new Window().document;
  document.body.innerHTML = html;
  return { html, document };
}

function days(n: number, value: (i: number) => Omit<ChartPoint, 'label'> = (i) => ({ visitors: i, pageviews: 3 * i })): ChartPoint[] {
  return Array.from({ length: n }, (_, i) => ({ label: new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10), ...value(i) }));
}

const VIEWBOX_WIDTH = 360;
// No wider than the chart's own estimate, so the overlap check is not looser than the code.
const CHAR_WIDTH = 11 * 0.6;

describe('yTicks', () => {
  it.each<[number, number[]]>([
    [0, [0, 1, 2]],
    [1, [0, 1, 2]],
    [3, [0, 1, 2, 3]],
    [4, [0, 1, 2, 3, 4]],
    [5, [0, 2, 4, 6]],
    [9, [0, 5, 10]],
    [120, [0, 50, 100, 150]],
    [340, [0, 100, 200, 300, 400]],
    [401, [0, 200, 400, 600]],
    [1000, [0, 500, 1000]],
    [1_234_567, [0, 500_000, 1_000_000, 1_500_000]],
    [Number.NaN, [0, 1, 2]],
    [-5, [0, 1, 2]],
  ])('max %d gives %j', (max, ticks) => {
    expect(yTicks(max)).toEqual(ticks);
  });

  it('gives 3 to 5 round ticks from 0, evenly spaced, the top one at least the max and no tick more than needed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1e12 })), (max) => {
        const ticks = yTicks(max);
        const step = ticks[1] ?? 0;
        expect(ticks.length).toBeGreaterThanOrEqual(3);
        expect(ticks.length).toBeLessThanOrEqual(5);
        expect(ticks).toEqual(ticks.map((_, i) => i * step));
        expect(isRoundStep(step)).toBe(true);
        const top = ticks[ticks.length - 1] ?? 0;
        expect(top).toBeGreaterThanOrEqual(max);
        if (ticks.length > 3) expect(top - step).toBeLessThan(max);
      }),
    );
  });
});

/** 1, 2 or 5 times a power of ten. */
function isRoundStep(step: number): boolean {
  return /^[125]0*$/.test(String(step));
}

describe('Chart', () => {
  it('gives each point a hover target with a title carrying its numbers', async () => {
    const points: ChartPoint[] = [
      { label: '2026-11-03', visitors: 120, pageviews: 340 },
      { label: '2026-11-04', visitors: 1234, pageviews: 56789 },
      { label: '2026-11-05', visitors: 0, pageviews: 0 },
    ];
    const { html, document } = await parse(points);
    const titles = [...document.querySelectorAll('svg.chart-svg g > title')].map((t) => t.textContent);
    expect(titles).toEqual([
      '2026-11-03: 120 visitors, 340 page views',
      '2026-11-04: 1,234 visitors, 56,789 page views',
      '2026-11-05: 0 visitors, 0 page views',
    ]);
    expect(html.match(/<title>/g)?.length).toBe(points.length);
    // The title's sibling is the target: transparent, but painted, so it takes the hover.
    for (const title of document.querySelectorAll('svg.chart-svg g > title')) {
      const target = title.nextElementSibling;
      expect(target?.tagName.toLowerCase()).toBe('rect');
      expect(target?.getAttribute('fill')).toBe('transparent');
      expect(Number(target?.getAttribute('width'))).toBeGreaterThan(0);
    }
  });

  it('labels the y axis with round ticks from 0 whose top is at least the largest value', async () => {
    for (const points of [
      [{ label: 'a', visitors: 120, pageviews: 340 }],
      days(30, (i) => ({ visitors: 7 * i, pageviews: 13 * i + 1 })),
      days(12, (i) => ({ visitors: 40_000 * i, pageviews: 90_000 * i })),
      days(3, () => ({ visitors: 0, pageviews: 0 })),
    ]) {
      const { document } = await parse(points);
      const texts = [...document.querySelectorAll('svg.chart-svg text.chart-axis:not(.chart-x)')].map((t) => t.textContent);
      const ticks = texts.map(fromCompact);
      const max = Math.max(...points.flatMap((p) => [p.visitors, p.pageviews]));
      expect(ticks[0]).toBe(0);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks.length).toBeLessThanOrEqual(5);
      expect(isRoundStep(ticks[1] ?? 0)).toBe(true);
      expect(ticks).toEqual(yTicks(max));
      expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(max);
    }
  });

  it('writes big ticks short', async () => {
    const { document } = await parse([{ label: 'a', visitors: 1_000, pageviews: 1_234_567 }]);
    const texts = [...document.querySelectorAll('svg.chart-svg text.chart-axis:not(.chart-x)')].map((t) => t.textContent);
    expect(texts).toEqual(['0', '500k', '1M', '1.5M']);
  });

  it('keeps every mark inside the plot, the largest value at most at the top gridline', async () => {
    const { html } = await parse(days(30, (i) => ({ visitors: 5 * i, pageviews: 11 * i })));
    const ys = [...html.matchAll(/points="([^"]+)"/g)].flatMap((m) => (m[1] ?? '').split(' ').map((xy) => Number(xy.split(',')[1])));
    const bars = [...html.matchAll(/V([\d.]+)h/g)].map((m) => Number(m[1]));
    const grid = [...html.matchAll(/class="chart-grid"[^>]*y1="([\d.]+)"/g)].map((m) => Number(m[1]));
    const topLine = Math.min(...grid);
    const baseLine = Math.max(...grid);
    expect(ys.length).toBe(30);
    expect(bars.length).toBe(30);
    for (const y of [...ys, ...bars]) {
      expect(y).toBeGreaterThanOrEqual(topLine);
      expect(y).toBeLessThanOrEqual(baseLine);
    }
    expect(html).not.toContain('NaN');
  });

  it.each([1, 12, 24, 25, 30, 31, 90, 365, 400])(
    'shows at most 8 x labels for %d points, none overlapping, all inside the box',
    async (n) => {
      const { document } = await parse(days(n));
      const labels = [...document.querySelectorAll('svg.chart-svg text.chart-x')].map((t) => ({
        text: t.textContent,
        x: Number(t.getAttribute('x')),
      }));
      expect(labels.length).toBeGreaterThanOrEqual(1);
      expect(labels.length).toBeLessThanOrEqual(8);
      if (n >= 12) expect(labels.length).toBeGreaterThanOrEqual(3);
      expect(labels[0]?.text).toBe('2026-01-01');
      labels.forEach((label, i) => {
        const half = (label.text.length * CHAR_WIDTH) / 2;
        expect(label.x - half).toBeGreaterThanOrEqual(0);
        expect(label.x + half).toBeLessThanOrEqual(VIEWBOX_WIDTH);
        const previous = labels[i - 1];
        if (previous !== undefined) expect(label.x - (previous.text.length * CHAR_WIDTH) / 2).toBeGreaterThan(previous.x + half);
      });
    },
  );

  it('caps 365 points at 8 x labels even when the labels are short enough to fit more', async () => {
    const points = Array.from({ length: 365 }, (_, i) => ({ label: String(i + 1), visitors: i, pageviews: i }));
    const { document } = await parse(points);
    const labels = [...document.querySelectorAll('svg.chart-svg text.chart-x')].map((t) => t.textContent);
    expect(labels).toEqual(['1', '47', '93', '139', '185', '231', '277', '323']);
  });

  it('shows short labels more often, still at most 8', async () => {
    const hours = Array.from({ length: 24 }, (_, i) => ({ label: `${String(i).padStart(2, '0')}:00`, visitors: i, pageviews: i }));
    const { document } = await parse(hours);
    const labels = [...document.querySelectorAll('svg.chart-svg text.chart-x')].map((t) => t.textContent);
    expect(labels).toEqual(['00:00', '04:00', '08:00', '12:00', '16:00', '20:00']);
  });

  it("labels one day's hours by their time, and keeps the day in the title and the table", async () => {
    const hours = Array.from({ length: 24 }, (_, i) => ({
      label: `2026-12-02 ${String(i).padStart(2, '0')}:00`,
      visitors: i,
      pageviews: i,
    }));
    const { document } = await parse(hours);
    const labels = [...document.querySelectorAll('svg.chart-svg text.chart-x')].map((t) => t.textContent);
    expect(labels).toEqual(['00:00', '04:00', '08:00', '12:00', '16:00', '20:00']);
    expect(document.querySelector('svg.chart-svg title')?.textContent).toBe('2026-12-02 00:00: 0 visitors, 0 page views');
    expect(document.querySelector('details table tbody td')?.textContent).toBe('2026-12-02 00:00');
    // Hours of two days keep their dates.
    const twoDays = [hours[23], { label: '2026-12-03 00:00', visitors: 1, pageviews: 1 }].filter((p) => p !== undefined);
    const both = await parse(twoDays);
    const axis = [...both.document.querySelectorAll('svg.chart-svg text.chart-x')].map((t) => t.textContent);
    expect(axis.every((text) => text?.startsWith('2026-12-0'))).toBe(true);
  });

  it('shortens a long x label on the axis but keeps it whole in the title and the table', async () => {
    const label = 'A very long label that would not fit';
    const { document } = await parse([{ label, visitors: 1, pageviews: 2 }]);
    expect(document.querySelector('svg.chart-svg text.chart-x')?.textContent).toBe('A very long…');
    expect(document.querySelector('svg.chart-svg title')?.textContent).toBe(`${label}: 1 visitor, 2 page views`);
    expect(document.querySelector('details table tbody td')?.textContent).toBe(label);
  });

  it('escapes the caption and labels', async () => {
    const hostile = '<script>alert(1)</script>"\'&';
    const { html, document } = await parse(
      [
        { label: hostile, visitors: 1, pageviews: 2 },
        { label: '<img src=x onerror=alert(1)>', visitors: 3, pageviews: 4 },
      ],
      `<script>alert("caption")</script>`,
    );
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(document.querySelectorAll('script, img').length).toBe(0);
    expect(document.querySelector('figcaption')?.textContent).toBe('<script>alert("caption")</script>');
    expect(document.querySelector('svg.chart-svg title')?.textContent).toBe(`${hostile}: 1 visitor, 2 page views`);
    expect(document.querySelector('svg.chart-svg')?.getAttribute('aria-label')).toContain(hostile);
  });

  it('renders a short paragraph, and no svg, for no points', async () => {
    const { html, document } = await parse([], 'Visitors today');
    expect(document.querySelector('figure.chart > p')?.textContent).toBe('No data for this period.');
    expect(document.querySelector('figcaption')?.textContent).toBe('Visitors today');
    expect(html).not.toContain('<svg');
    expect(html).not.toContain('<table');
  });

  it('uses no style attributes or style elements, which the CSP would block', async () => {
    for (const points of [[], days(1), days(30), days(400)]) {
      const html = await render(points);
      expect(html).not.toMatch(/style\s*=/i);
      expect(html).not.toMatch(/<style/i);
    }
  });

  it('scales with the page and describes itself to screen readers', async () => {
    const { document } = await parse(days(30, (i) => ({ visitors: i === 4 ? 900 : 10, pageviews: i === 7 ? 2500 : 20 })));
    const svg = document.querySelector('svg.chart-svg');
    expect(svg?.getAttribute('width')).toBe('100%');
    expect(svg?.getAttribute('height')).toBeNull();
    expect(svg?.getAttribute('viewBox')).toBe('0 0 360 200');
    expect(svg?.getAttribute('preserveAspectRatio')).toBe('xMinYMin meet');
    expect(svg?.getAttribute('role')).toBe('img');
    expect(svg?.getAttribute('aria-label')).toBe(
      'Visitors (line) and page views (bars), 30 periods from 2026-01-01 to 2026-01-30. ' +
        'Most visitors: 900 (2026-01-05); most page views: 2,500 (2026-01-08).',
    );
    expect(document.querySelector('figure.chart > figcaption')?.textContent).toBe('Visitors per day');
    expect([...document.querySelectorAll('.chart-legend li')].map((li) => li.textContent)).toEqual(['Visitors', 'Page views']);
    for (const swatch of document.querySelectorAll('.chart-legend svg')) expect(swatch.getAttribute('aria-hidden')).toBe('true');
  });

  it('lists every point in a table inside a Data disclosure', async () => {
    const points = days(3, (i) => ({ visitors: 1000 * i, pageviews: 2500 * i }));
    const { document } = await parse(points);
    expect(document.querySelector('details > summary')?.textContent).toBe('Data');
    const rows = [...document.querySelectorAll('details table tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent),
    );
    expect(rows).toEqual([
      ['2026-01-01', '0', '0'],
      ['2026-01-02', '1,000', '2,500'],
      ['2026-01-03', '2,000', '5,000'],
    ]);
    expect([...document.querySelectorAll('details thead th')].map((th) => th.textContent)).toEqual(['Period', 'Visitors', 'Page views']);
  });

  it('keeps its titles in the svg inside a whole page, rather than moving them to the head', async () => {
    const html = await (
      <html lang="en">
        <head>
          <title>Report</title>
        </head>
        <body>
          <Chart points={days(2)} caption="Two days" />
        </body>
      </html>
    ).toString();
    const document = new Window().document;
    document.write(html);
    expect(document.title).toBe('Report');
    expect(document.querySelectorAll('head title').length).toBe(1);
    expect(document.querySelectorAll('svg.chart-svg g > title').length).toBe(2);
  });

  it('draws one point, and odd counts (negative, NaN) as zero without breaking the drawing', async () => {
    const one = await render(days(1));
    expect(one).toContain('<circle');
    expect(one).not.toContain('<polyline');
    const odd = await render([
      { label: 'a', visitors: -3, pageviews: Number.NaN },
      { label: 'b', visitors: 5, pageviews: Number.POSITIVE_INFINITY },
    ]);
    expect(odd.replace(/<title>[^<]*<\/title>|<td[^>]*>[^<]*<\/td>|aria-label="[^"]*"/g, '')).not.toMatch(/NaN|Infinity/);
  });
});

/** An axis label back to its number: 1.5k as 1500. */
function fromCompact(text: string | null): number {
  const match = /^([\d.,]+)([kMB]?)$/.exec(text ?? '');
  if (match === null) throw new Error(`not a tick: ${text}`);
  const scale = { '': 1, k: 1e3, M: 1e6, B: 1e9 }[match[2] ?? ''] ?? Number.NaN;
  return Math.round(Number((match[1] ?? '').replaceAll(',', '')) * scale);
}
