/**
 * Pages of public lists: `?page=` (from 1) and `?pageSize=` (1-100, default 50) read from the query, as the
 * catalogue search takes them, into the SQL LIMIT/OFFSET the services apply. Hostile input: anything else is a
 * 400 validation_failed. Must never read storage itself.
 */
import type { Request } from 'express';
import { LIST_LIMIT, MAX_PAGE, type ListPage } from '../core/bounded-lists.js';
import { RegistryError } from '../core/errors.js';

export const PAGE_QUERY = [
  { name: 'page', description: 'Page number from 1 (newest first)', schema: { type: 'integer', minimum: 1 } },
  { name: 'pageSize', description: `Items per page, 1-${MAX_PAGE} (default ${LIST_LIMIT})`, schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE } },
];

export function pageOf(query: Request['query']): ListPage & { page: number; pageSize: number } {
  const int = (k: string, min: number, max: number, fallback: number): number => {
    const v = query[k];
    if (v === undefined) return fallback;
    const n = typeof v === 'string' && /^\d{1,7}$/.test(v) ? Number(v) : NaN;
    if (!(n >= min && n <= max)) throw new RegistryError('validation_failed', `invalid query: ${k} must be a whole number between ${min} and ${max}`, { errors: [{ path: k, message: `must be a whole number between ${min} and ${max}` }] });
    return n;
  };
  const page = int('page', 1, 100_000, 1);
  const pageSize = int('pageSize', 1, MAX_PAGE, LIST_LIMIT);
  return { page, pageSize, limit: pageSize, offset: (page - 1) * pageSize };
}
