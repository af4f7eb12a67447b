/**
 * A report's whole state lives in its URL: `period` (with `from` and `to`
 * for a custom one) and any number of `f=dimension:value` filters. A link
 * reproduces the view; the page needs no script to change it.
 */
import { HttpError } from '../../core/errors.js';
import { hasControlCharacter } from '../forms.js';
import { DIMENSIONS, type Dimension, type Filter } from './dimensions.js';
import { type Period, parsePeriod } from './report.js';

/** What a report shows. */
export interface ReportState {
  period: Period;
  filters: Filter[];
}

const FILTER_DIMENSIONS = new Set<string>(DIMENSIONS.filter((d) => d !== 'prop'));
const MAX_FILTERS = 10;
const MAX_FILTER_VALUE = 2048;

/** Reads a report URL's query; a bad period or filter is a 400 that says what is wrong. */
export function parseReportState(query: (name: string) => string | undefined, filters: readonly string[], today: string): ReportState {
  const period = parsePeriod({ period: query('period'), from: query('from'), to: query('to') }, today);
  if (filters.length > MAX_FILTERS) throw new HttpError(400, `A report takes at most ${MAX_FILTERS} filters.`, { f: 'too many' });
  const parsed = filters.map((text): Filter => {
    const colon = text.indexOf(':');
    const dimension = colon === -1 ? '' : text.slice(0, colon);
    const value = text.slice(colon + 1);
    const refuse = (message: string) => new HttpError(400, message, { f: message });
    if (!FILTER_DIMENSIONS.has(dimension)) throw refuse(`There is no filter "${dimension || text}".`);
    if (value.length > MAX_FILTER_VALUE) throw refuse('That filter value is too long.');
    // No stored value has one, and PostgreSQL cannot compare text with NUL.
    if (hasControlCharacter(value)) throw refuse('A filter value cannot hold control characters.');
    return { dimension: dimension as Filter['dimension'], value };
  });
  return { period, filters: parsed };
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
  return FILTER_DIMENSIONS.has(dimension);
}
