/**
 * Bounded lists in public answers: a list that grows with what members publish (recognition decisions,
 * accreditations, agreements, endorsements, versions) goes into one answer only up to a bound, newest first, and the
 * answer says how many there are in all (schemas/api/list-bound.schema.json) and where to page through them. The
 * bound is applied in SQL (LIMIT), never by slicing a full array. Must never read storage or HTTP itself.
 */

/** At most this many items of such a list go into one answer unless a page asks for fewer. */
export const LIST_LIMIT = 50;

/** The largest page a caller may ask for. */
export const MAX_PAGE = 100;

/** A page of a list: `limit` items from `offset` (newest first). */
export interface ListPage {
  limit?: number;
  offset?: number;
}

/** Some items of a list and how many it holds in all. */
export interface Bounded<T> {
  items: T[];
  total: number;
}

/** What an answer says of one of its bounded lists (schemas/api/list-bound.schema.json). */
export interface ListBound {
  /** how many the replica holds in all */
  total: number;
  /** how many this answer carries */
  shown: number;
  /** some were left out */
  truncated: boolean;
  /** the API path that pages through all of them (where there is one) */
  all?: string;
}

export function listBound(total: number, shown: number, all?: string): ListBound {
  return { total, shown, truncated: total > shown, ...(all ? { all } : {}) };
}

/** SQL LIMIT/OFFSET parameters for a page: a whole number of items from 0 to 1,000 (LIST_LIMIT unless said) from a whole offset. */
export function pageParams(page: ListPage): { limit: number; offset: number } {
  const whole = (n: number | undefined, fallback: number) => (n === undefined || !Number.isFinite(n) ? fallback : Math.max(0, Math.floor(n)));
  return { limit: Math.min(1000, whole(page.limit, LIST_LIMIT)), offset: whole(page.offset, 0) };
}
