/**
 * A report's whole state lives in its URL: `period` (with `from` and `to`
 * for a custom one) and any number of `f=dimension:value` filters. A link
 * reproduces the view; the page needs no script to change it.
 */
import { z } from 'zod';
import { HttpError } from '../../core/errors.js';
import { hasControlCharacter } from '../forms.js';
import { DIMENSIONS, type Dimension, type Filter } from './dimensions.js';
import { PERIODS, type Period, parsePeriod } from './report.js';

/** What a report shows. */
export interface ReportState {
  period: Period;
  filters: Filter[];
}

const FILTER_DIMENSIONS = DIMENSIONS.filter((d): d is Exclude<Dimension, 'prop'> => d !== 'prop');
const FILTERABLE = new Set<string>(FILTER_DIMENSIONS);
const MAX_FILTERS = 10;
const MAX_FILTER_VALUE = 2048;
const TOO_MANY = `A report takes at most ${MAX_FILTERS} filters.`;

const FILTER_DIMENSION = z.enum(FILTER_DIMENSIONS);

/** One `f=dimension:value`; the value may hold colons. */
const FILTER = z
  .string()
  .transform((text, ctx) => {
    const colon = text.indexOf(':');
    const name = colon === -1 ? '' : text.slice(0, colon);
    const dimension = FILTER_DIMENSION.safeParse(name);
    if (dimension.success) return { dimension: dimension.data, value: text.slice(colon + 1) };
    ctx.addIssue({ code: 'custom', message: `There is no filter "${name || text}".` });
    return z.NEVER;
  })
  .pipe(
    z.object({
      dimension: FILTER_DIMENSION,
      value: z
        .string()
        .max(MAX_FILTER_VALUE, 'That filter value is too long.')
        // No stored value has one, and PostgreSQL cannot compare text with NUL.
        .refine((value) => !hasControlCharacter(value), 'A filter value cannot hold control characters.'),
    }),
  );

/**
 * A report URL's query. The custom period's days (real dates, in order, at
 * most two years apart) are checked by parsePeriod, which reckons with them.
 */
const PERIOD_QUERY = z.object({
  period: z
    .enum(PERIODS, { error: (issue) => `There is no period "${String(issue.input)}": use one of ${PERIODS.join(', ')}.` })
    .default('30d'),
  from: z.string().optional(),
  to: z.string().optional(),
});

/** The filters; counted before any is read: eleven are refused whatever they say. */
const FILTERS = z.object({ f: z.array(z.string()).max(MAX_FILTERS, TOO_MANY).pipe(z.array(FILTER)) });

/** What each field's error says, as the API shows it, when it is not the message itself. */
const FIELD_MESSAGE: Record<string, string> = { [TOO_MANY]: 'too many' };

/**
 * Reads a report URL's query; a bad period or filter is a 400 that says
 * what is wrong: the period's problem first, then the filters'.
 */
export function parseReportState(query: (name: string) => string | undefined, filters: readonly string[], today: string): ReportState {
  const period = PERIOD_QUERY.safeParse({ period: query('period'), from: query('from'), to: query('to') });
  if (!period.success) throw refusal(period.error);
  const parsed = parsePeriod(period.data, today);
  const checked = FILTERS.safeParse({ f: filters });
  if (!checked.success) throw refusal(checked.error);
  return { period: parsed, filters: checked.data.f };
}

/** The first problem, as a page shows one message, with its field as the API names it. */
function refusal(error: z.ZodError): HttpError {
  const issue = error.issues[0];
  const message = issue?.message ?? 'Bad request';
  const field = String(issue?.path[0] ?? 'f');
  return new HttpError(400, message, {
    [field]: field === 'period' ? `must be one of ${PERIODS.join(', ')}` : (FIELD_MESSAGE[message] ?? message),
  });
}

/** The query string of a report view, changed as asked. */
export function reportQuery(
  state: ReportState,
  change: { period?: Period['name']; add?: Filter; remove?: Filter; extra?: Record<string, string> } = {},
): string {
  const params = new URLSearchParams();
  const name = change.period ?? state.period.name;
  params.set('period', name);
  if (name === 'custom') {
    params.set('from', state.period.from);
    params.set('to', state.period.to);
  }
  const same = (a: Filter, b: Filter) => a.dimension === b.dimension && a.value === b.value;
  let filters = state.filters.filter((filter) => change.remove === undefined || !same(filter, change.remove));
  if (change.add !== undefined) {
    const added = change.add;
    // One value per dimension: a new click replaces the old one.
    filters = [...filters.filter((filter) => filter.dimension !== added.dimension), added];
  }
  for (const filter of filters) params.append('f', `${filter.dimension}:${filter.value}`);
  for (const [key, value] of Object.entries(change.extra ?? {})) params.set(key, value);
  return `?${params.toString()}`;
}

/** Whether a dimension can be a filter. */
export function filterable(dimension: Dimension): boolean {
  return FILTERABLE.has(dimension);
}
