/**
 * Times every HTTP request and reports it with the express route pattern that answered it (`/api/v1/microcredentials/:id`),
 * never the raw URL, so the label set stays as small as the route tables. A request no route answered (a web asset,
 * an unknown path) is reported as `static` or `unmatched`. Must never read the request body nor report a path
 * a client chose.
 */
import type { Request, RequestHandler } from 'express';
import type { Metrics } from '../core/metrics.js';

/** The label of the route that answered `req`, once the response is finished. */
export function routeLabel(req: Request, status: number): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return (req.baseUrl || '') + route.path;
  if (route) return 'web app'; // the single-page app's fallback (a regular expression route)
  return status < 400 && !req.path.startsWith('/api/') ? 'static' : 'unmatched';
}

export function requestMetrics(metrics: Pick<Metrics, 'httpRequest'>): RequestHandler {
  return (req, res, next) => {
    const t0 = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      metrics.httpRequest(req.method, routeLabel(req, res.statusCode), res.statusCode, seconds);
    });
    next();
  };
}
