/** Every operation of the API, described once in zod: checked against and published from here. */
import { z } from '@hono/zod-openapi';
import { DIMENSIONS } from '../reports/dimensions.js';
import { PERIODS } from '../reports/report.js';
import { many, once, operation, wholeNumber } from './schema.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A parameter's description, as OpenAPI shows it. */
const about = (description: string) => ({ param: { description } });

const siteId = { id: wholeNumber(1, 2 ** 53 - 1).openapi(about('The site’s id.')) };

/** The dashboard's report parameters, with the same meaning. */
const reportParams = {
  period: once(z.enum(PERIODS)).optional().openapi(about('The period; `custom` needs `from` and `to`. Default `30d`.')),
  from: once(z.string().regex(DATE)).optional().openapi(about('First day of a custom period, in the site’s time zone.')),
  to: once(z.string().regex(DATE)).optional().openapi(about('Last day of a custom period (included).')),
  f: many(
    z
      .string()
      .max(2100)
      .regex(/^[a-z_]+:/),
  )
    .optional()
    .openapi(about('A filter, `dimension:value`, as the dashboard’s URL has it; filters stack. Dimensions: every breakdown but `prop`.')),
  timezone: once(z.string().max(64))
    .optional()
    .openapi(
      about('The site’s own IANA time zone, if given: reports are kept in it. Another zone is a 400; change the site’s zone instead.'),
    ),
};

const limit = (max: number, fallback: number) =>
  once(wholeNumber(1, max))
    .optional()
    .openapi(about(`Rows to return, at most ${max}; default ${fallback}.`));

const SITE = z.object({
  id: z.int(),
  name: z.string(),
  base_url: z.string(),
  domain: z.string(),
  timezone: z.string(),
  created_at: z.string().openapi({ format: 'date-time' }),
});

const SITE_FIELDS = {
  base_url: z.string().max(2048).openapi({ description: 'The site’s address, such as https://example.com.' }),
  name: z.string().max(100),
  timezone: z.string().max(64).openapi({ description: 'IANA time zone whose days reports cut; default UTC.' }),
};

const PERIOD = z.object({
  name: z.enum(PERIODS),
  from: z.string().openapi({ format: 'date' }),
  to: z.string().openapi({ format: 'date' }),
  timezone: z.string(),
  filters: z.array(z.object({ dimension: z.string(), value: z.string() })),
});

const TOTALS = z.object({
  visitors: z.int(),
  visits: z.int(),
  pageviews: z.int(),
  views_per_visit: z.number(),
  bounce_rate: z.number().openapi({ description: 'A fraction: 0.42 is 42%.' }),
  visit_duration_ms: z.int().openapi({ description: 'Average engaged time per visit.' }),
  events: z.int().openapi({ description: 'Custom events.' }),
});

export const OPERATIONS = {
  listSites: operation({
    method: 'get',
    path: '/sites',
    id: 'listSites',
    summary: 'The account’s sites.',
    params: {},
    query: {},
    status: 200,
    response: z.object({ sites: z.array(SITE) }),
  }),
  createSite: operation({
    method: 'post',
    path: '/sites',
    id: 'createSite',
    summary: 'Add a site.',
    params: {},
    query: {},
    body: { base_url: SITE_FIELDS.base_url, name: SITE_FIELDS.name.optional(), timezone: SITE_FIELDS.timezone.optional() },
    status: 201,
    response: SITE,
  }),
  getSite: operation({
    method: 'get',
    path: '/sites/{id}',
    id: 'getSite',
    summary: 'One site.',
    params: siteId,
    query: {},
    status: 200,
    response: SITE,
  }),
  updateSite: operation({
    method: 'patch',
    path: '/sites/{id}',
    id: 'updateSite',
    summary: 'Change a site’s base URL, name or time zone.',
    params: siteId,
    query: {},
    body: {
      base_url: SITE_FIELDS.base_url.optional(),
      name: SITE_FIELDS.name.optional(),
      timezone: SITE_FIELDS.timezone.optional(),
    },
    status: 200,
    response: SITE,
  }),
  deleteSite: operation({
    method: 'delete',
    path: '/sites/{id}',
    id: 'deleteSite',
    summary: 'Delete a site and all its events.',
    params: siteId,
    query: {},
    status: 204,
  }),
  getStats: operation({
    method: 'get',
    path: '/sites/{id}/stats',
    id: 'getStats',
    summary: 'The top line of a period, and of the period of equal length before it.',
    params: siteId,
    query: reportParams,
    status: 200,
    response: z.object({ period: PERIOD, totals: TOTALS, previous: TOTALS }),
  }),
  getTimeseries: operation({
    method: 'get',
    path: '/sites/{id}/timeseries',
    id: 'getTimeseries',
    summary: 'Visitors and page views per hour (one day; hours not yet begun are left out), day (up to ~3 months) or month.',
    params: siteId,
    query: reportParams,
    status: 200,
    response: z.object({
      period: PERIOD,
      granularity: z.enum(['hour', 'day', 'month']),
      points: z.array(z.object({ label: z.string(), visitors: z.int(), pageviews: z.int() })),
    }),
  }),
  getBreakdown: operation({
    method: 'get',
    path: '/sites/{id}/breakdown/{dimension}',
    id: 'getBreakdown',
    summary: 'One breakdown, ranked by visitors.',
    params: { ...siteId, dimension: z.enum(DIMENSIONS).openapi(about('Which breakdown.')) },
    query: { ...reportParams, limit: limit(1000, 10) },
    status: 200,
    response: z.object({
      period: PERIOD,
      dimension: z.string(),
      rows: z.array(
        z.object({
          value: z.string().openapi({ description: 'Empty for none (direct traffic, unknown country…).' }),
          visitors: z.int(),
          visits: z.int(),
          pageviews: z.int(),
          events: z.int(),
          share: z.number().openapi({ description: 'Of the period’s visitors; for events, the conversion rate.' }),
          bounce_rate: z.number(),
          visit_duration_ms: z.int(),
          time_on_page_ms: z.int().nullable(),
        }),
      ),
    }),
  }),
  getRealtime: operation({
    method: 'get',
    path: '/sites/{id}/realtime',
    id: 'getRealtime',
    summary: 'Visitors in the last five minutes, and their current pages.',
    params: siteId,
    query: {},
    status: 200,
    response: z.object({
      visitors: z.int(),
      capped: z.boolean().openapi({
        description: 'True when the five minutes held too many page views to read: visitors is then a lower bound.',
      }),
      pages: z.array(z.object({ page: z.string(), visitors: z.int() })),
    }),
  }),
  listEvents: operation({
    method: 'get',
    path: '/sites/{id}/events',
    id: 'listEvents',
    summary: 'Raw events, newest first, whose own values match the filters; follow `next_cursor` for more.',
    params: siteId,
    query: {
      ...reportParams,
      limit: limit(1000, 100),
      cursor: once(z.string().regex(/^\d{1,15}\.\d{1,15}$/))
        .optional()
        .openapi(about('The `next_cursor` of the page before.')),
    },
    status: 200,
    response: z.object({
      events: z.array(z.looseObject({})),
      next_cursor: z.string().nullable(),
    }),
  }),
};
