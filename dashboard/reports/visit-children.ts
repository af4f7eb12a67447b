/**
 * A visit's child rows (visit_pages, visit_events, visit_props,
 * visit_hours) as the engine writes them: a snapshot of a stored visit's
 * before new events extend it, and the rows that differ from it.
 */
import type { VisitState } from '../../core/db/visits.js';

/** A visit's child rows, as comparable values. */
export interface Children {
  pages: Map<string, string>;
  named: Map<string, number>;
  props: Map<string, number>;
  hours: Map<number, number>;
}

/** A snapshot of a visit's child rows. */
export function childrenOf(visit: VisitState): Children {
  return {
    pages: new Map([...visit.pages].map(([page, seen]) => [page, `${seen.views} ${seen.engaged}`])),
    named: new Map(visit.named),
    props: new Map(visit.props),
    hours: new Map(visit.hours),
  };
}

/** The child rows of a visit not stored yet. */
export const NO_CHILDREN: Children = { pages: new Map(), named: new Map(), props: new Map(), hours: new Map() };

/** Child rows to write, per table, as statement parameters. */
export interface ChildRows {
  pages: unknown[][];
  named: unknown[][];
  props: unknown[][];
  hours: unknown[][];
}

/** No child rows to write yet. */
export const emptyChildRows = (): ChildRows => ({ pages: [], named: [], props: [], hours: [] });

/** Adds the child rows of a visit that differ from `before` (all of them for a new visit). */
export function addChildRows(rows: ChildRows, id: number, visit: VisitState, before: Children): void {
  for (const [page, { views, engaged }] of visit.pages) {
    if (before.pages.get(page) !== `${views} ${engaged}`) rows.pages.push([id, page, views, engaged]);
  }
  for (const [name, count] of visit.named) if (before.named.get(name) !== count) rows.named.push([id, name, count]);
  for (const [prop, count] of visit.props) if (before.props.get(prop) !== count) rows.props.push([id, prop, count]);
  for (const [hour, pageviews] of visit.hours) if (before.hours.get(hour) !== pageviews) rows.hours.push([id, hour, pageviews]);
}
