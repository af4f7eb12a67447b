/**
 * The report's breakdowns and filters: which breakdowns a report has,
 * which of them list visits without a value, and which visits a filter
 * keeps.
 */
import type { EventCondition } from '../../core/db/report-events.js';
import { VISIT_ATTRIBUTES, type VisitAttributes } from '../../core/db/schema.js';
import type { VisitState } from '../../core/db/visits.js';

/** Attributes of a visit, taken from its first event. */
export const VISIT_DIMENSIONS = VISIT_ATTRIBUTES;
export type VisitDimension = (typeof VISIT_DIMENSIONS)[number] & keyof VisitAttributes;

/** Every breakdown a report has. */
export const DIMENSIONS = [...VISIT_DIMENSIONS, 'page', 'entry_page', 'exit_page', 'event', 'prop'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/**
 * The breakdowns that list visits without the attribute as a row of their
 * own ("(none)"): only where that means something, such as direct traffic
 * or an unknown country or browser.
 */
export const KEEP_NONE: ReadonlySet<Dimension> = new Set<Dimension>(['source', 'country', 'browser', 'browser_version', 'os', 'device']);

/** A report filter: the rows of one breakdown the user clicked. */
export interface Filter {
  dimension: Exclude<Dimension, 'prop'>;
  value: string;
}

/**
 * What a visit that matches `filters` must have among its visitor's
 * events, so that a filtered report reads only those visitors' events.
 * A visit's attributes are its first event's, so the visitor has an event
 * with that value; a custom event is an event of that name. Page filters
 * give no condition: a stored URL need not contain its path as written
 * (`new URL` normalises it). browser_version joins two columns; none
 * either. The visits are still checked one by one (`matches`).
 */
export function narrowing(filters: readonly Filter[]): EventCondition[] {
  return filters.flatMap(({ dimension, value }): EventCondition[] => {
    if (dimension === 'event') return [{ column: 'name', value }];
    if (dimension === 'page' || dimension === 'entry_page' || dimension === 'exit_page' || dimension === 'browser_version') return [];
    return [{ column: dimension, value }];
  });
}

/** Whether a visit matches every filter. */
export function matches(visit: VisitState, filters: readonly Filter[]): boolean {
  return filters.every(({ dimension, value }) => {
    switch (dimension) {
      case 'page':
        return (visit.pages.get(value)?.views ?? 0) > 0;
      case 'entry_page':
        return visit.entry === value;
      case 'exit_page':
        return visit.exit === value;
      case 'event':
        return visit.named.has(value);
      default:
        return visit.attributes[dimension] === value;
    }
  });
}
