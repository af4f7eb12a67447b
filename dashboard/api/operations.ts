/** Every operation of the API, described once: checked against and published from here. */
import { DIMENSIONS } from '../reports/dimensions.js';
import { PERIODS } from '../reports/report.js';
import type { ObjectSchema, Operation, Param, Schema } from './schema.js';

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';

const siteId: Param = {
  name: 'id',
  in: 'path',
  description: 'The site’s id.',
  schema: { type: 'integer', minimum: 1, maximum: 2 ** 53 - 1 },
};

/** The dashboard's report parameters, with the same meaning. */
const reportParams: Param[] = [
  {
    name: 'period',
    in: 'query',
    description: 'The period; `custom` needs `from` and `to`. Default `30d`.',
    schema: { type: 'string', enum: PERIODS },
  },
  {
    name: 'from',
    in: 'query',
    description: 'First day of a custom period, in the site’s time zone.',
    schema: { type: 'string', pattern: DATE },
  },
  { name: 'to', in: 'query', description: 'Last day of a custom period (included).', schema: { type: 'string', pattern: DATE } },
  {
    name: 'f',
    in: 'query',
    repeated: true,
    description: 'A filter, `dimension:value`, as the dashboard’s URL has it; filters stack. Dimensions: every breakdown but `prop`.',
    schema: { type: 'string', maxLength: 2100, pattern: '^[a-z_]+:' },
  },
  {
    name: 'timezone',
    in: 'query',
    description: 'The site’s own IANA time zone, if given: reports are kept in it. Another zone is a 400; change the site’s zone instead.',
    schema: { type: 'string', maxLength: 64 },
  },
];

const limit = (max: number, fallback: number): Param => ({
  name: 'limit',
  in: 'query',
  description: `Rows to return, at most ${max}; default ${fallback}.`,
  schema: { type: 'integer', minimum: 1, maximum: max },
});

const SITE: ObjectSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    base_url: { type: 'string' },
    domain: { type: 'string' },
    timezone: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'name', 'base_url', 'domain', 'timezone', 'created_at'],
};

const SITE_FIELDS = {
  base_url: { type: 'string', maxLength: 2048, description: 'The site’s address, such as https://example.com.' },
  name: { type: 'string', maxLength: 100 },
  timezone: { type: 'string', maxLength: 64, description: 'IANA time zone whose days reports cut; default UTC.' },
} as const satisfies Record<string, Schema>;

const PERIOD: ObjectSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', enum: PERIODS },
    from: { type: 'string', format: 'date' },
    to: { type: 'string', format: 'date' },
    timezone: { type: 'string' },
    filters: { type: 'array', items: { type: 'object', properties: { dimension: { type: 'string' }, value: { type: 'string' } } } },
  },
};

const TOTALS: ObjectSchema = {
  type: 'object',
  properties: {
    visitors: { type: 'integer' },
    visits: { type: 'integer' },
    pageviews: { type: 'integer' },
    views_per_visit: { type: 'number' },
    bounce_rate: { type: 'number', description: 'A fraction: 0.42 is 42%.' },
    visit_duration_ms: { type: 'integer', description: 'Average engaged time per visit.' },
    events: { type: 'integer', description: 'Custom events.' },
  },
};

export const OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/sites',
    id: 'listSites',
    summary: 'The account’s sites.',
    params: [],
    status: 200,
    response: { type: 'object', properties: { sites: { type: 'array', items: SITE } } },
  },
  {
    method: 'post',
    path: '/sites',
    id: 'createSite',
    summary: 'Add a site.',
    params: [],
    body: { type: 'object', properties: SITE_FIELDS, required: ['base_url'] },
    status: 201,
    response: SITE,
  },
  { method: 'get', path: '/sites/{id}', id: 'getSite', summary: 'One site.', params: [siteId], status: 200, response: SITE },
  {
    method: 'patch',
    path: '/sites/{id}',
    id: 'updateSite',
    summary: 'Change a site’s base URL, name or time zone.',
    params: [siteId],
    body: { type: 'object', properties: SITE_FIELDS },
    status: 200,
    response: SITE,
  },
  { method: 'delete', path: '/sites/{id}', id: 'deleteSite', summary: 'Delete a site and all its events.', params: [siteId], status: 204 },
  {
    method: 'get',
    path: '/sites/{id}/stats',
    id: 'getStats',
    summary: 'The top line of a period, and of the period of equal length before it.',
    params: [siteId, ...reportParams],
    status: 200,
    response: { type: 'object', properties: { period: PERIOD, totals: TOTALS, previous: TOTALS } },
  },
  {
    method: 'get',
    path: '/sites/{id}/timeseries',
    id: 'getTimeseries',
    summary: 'Visitors and page views per hour (one day), day (up to ~3 months) or month.',
    params: [siteId, ...reportParams],
    status: 200,
    response: {
      type: 'object',
      properties: {
        period: PERIOD,
        granularity: { type: 'string', enum: ['hour', 'day', 'month'] },
        points: {
          type: 'array',
          items: {
            type: 'object',
            properties: { label: { type: 'string' }, visitors: { type: 'integer' }, pageviews: { type: 'integer' } },
          },
        },
      },
    },
  },
  {
    method: 'get',
    path: '/sites/{id}/breakdown/{dimension}',
    id: 'getBreakdown',
    summary: 'One breakdown, ranked by visitors.',
    params: [
      siteId,
      { name: 'dimension', in: 'path', description: 'Which breakdown.', schema: { type: 'string', enum: DIMENSIONS } },
      ...reportParams,
      limit(1000, 10),
    ],
    status: 200,
    response: {
      type: 'object',
      properties: {
        period: PERIOD,
        dimension: { type: 'string' },
        rows: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              value: { type: 'string', description: 'Empty for none (direct traffic, unknown country…).' },
              visitors: { type: 'integer' },
              visits: { type: 'integer' },
              pageviews: { type: 'integer' },
              events: { type: 'integer' },
              share: { type: 'number', description: 'Of the period’s visitors; for events, the conversion rate.' },
              bounce_rate: { type: 'number' },
              visit_duration_ms: { type: 'integer' },
              time_on_page_ms: { type: ['integer', 'null'] },
            },
          },
        },
      },
    },
  },
  {
    method: 'get',
    path: '/sites/{id}/realtime',
    id: 'getRealtime',
    summary: 'Visitors in the last five minutes, and their current pages.',
    params: [siteId],
    status: 200,
    response: {
      type: 'object',
      properties: {
        visitors: { type: 'integer' },
        capped: {
          type: 'boolean',
          description: 'True when the five minutes held too many page views to read: visitors is then a lower bound.',
        },
        pages: { type: 'array', items: { type: 'object', properties: { page: { type: 'string' }, visitors: { type: 'integer' } } } },
      },
    },
  },
  {
    method: 'get',
    path: '/sites/{id}/events',
    id: 'listEvents',
    summary: 'Raw events, newest first, whose own values match the filters; follow `next_cursor` for more.',
    params: [
      siteId,
      ...reportParams,
      limit(1000, 100),
      {
        name: 'cursor',
        in: 'query',
        description: 'The `next_cursor` of the page before.',
        schema: { type: 'string', pattern: '^\\d{1,15}\\.\\d{1,15}$' },
      },
    ],
    status: 200,
    response: {
      type: 'object',
      properties: {
        events: { type: 'array', items: { type: 'object', properties: {} } },
        next_cursor: { type: ['string', 'null'] },
      },
    },
  },
];
