/**
 * One table per router: each route names its method, path, documentation (tag, summary, body schema, query,
 * responses) and handler together. The express app registers the handlers from the tables and the OpenAPI document
 * (node/http/openapi.ts) is built from the same tables, so an endpoint cannot exist without its documentation.
 * Must never hold a handler's logic: it only describes and registers routes.
 */
import type { Express, Request, RequestHandler, Response } from 'express';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/** Where a route is mounted: the public API, the admin API (behind the admin token) or the root (e.g. /healthz). */
export type RouteScope = 'public' | 'admin' | 'root';

export const SCOPE_PREFIX: Record<RouteScope, string> = { public: '/api/v1', admin: '/api/v1/admin', root: '' };

/**
 * The request body: a schema name in `schemas/` (JSON), optionally not required (a POST that needs no body), or a
 * non-JSON content type with the schema of its JSON alternative.
 */
export type RouteBody = string | { schema: string; optional?: boolean; alternatives?: { contentType: string; description: string }[] };

export interface RouteQueryParam {
  name: string;
  description: string;
  schema?: Record<string, unknown>;
}

export interface RouteDoc {
  method: HttpMethod;
  /** Express path under the scope's prefix, e.g. `/microcredentials/:id` (its `:params` are the path parameters). */
  path: string;
  /** Default `public`. */
  scope?: RouteScope;
  tag: string;
  summary: string;
  body?: RouteBody;
  query?: RouteQueryParam[];
  /** Extra responses: status code → description. */
  responses?: Record<string, string>;
  /** Schema name in `schemas/` of the 200 JSON response, e.g. `api/network-status`. */
  response?: string;
}

export interface RouteDef extends RouteDoc {
  handler: (req: Request, res: Response) => unknown;
}

/** The express path of a route, prefix included. */
export function routePath(r: Pick<RouteDoc, 'path' | 'scope'>): string {
  return SCOPE_PREFIX[r.scope ?? 'public'] + r.path;
}

/** The OpenAPI path of a route: `:id` becomes `{id}`. */
export function openApiPath(r: Pick<RouteDoc, 'path' | 'scope'>): string {
  return routePath(r).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function pathParams(r: Pick<RouteDoc, 'path'>): string[] {
  return [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

/** Registers every route of the tables on the app, in table order (admin routes rely on the app's admin guard). */
export function registerRoutes(app: Express, tables: readonly (readonly RouteDef[])[]): void {
  for (const table of tables) for (const r of table) app[r.method](routePath(r), r.handler as RequestHandler);
}

/** A path parameter of the request (express always gives a string for a `:name` in the route's path). */
export function param(req: Request, name: string): string {
  const v = req.params[name];
  return typeof v === 'string' ? v : String(v ?? '');
}
