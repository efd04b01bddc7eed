/**
 * GET /metrics: the node's Prometheus metrics, on the main HTTP port. No personal data, but operational detail
 * (peers, lag, load), so it answers only when the operator enabled it in node.json: `"metrics": true` (open: for a
 * port only the monitoring network reaches) or `"metricsToken": "…"` (then only to `Authorization: Bearer <token>`).
 * Off, it answers 404 like any unknown path. Must never log or echo the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NodeConfig } from '../../config.js';
import { sendProblem } from '../problem.js';
import type { RouteDef } from '../route-table.js';

export interface MetricsScrape {
  scrape(): Promise<{ contentType: string; body: string }>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function metricsRoutes(config: Pick<NodeConfig, 'metrics'>, metrics: MetricsScrape | null): RouteDef[] {
  const { enabled, token } = config.metrics;
  const expected = token ? digest(token) : null;
  return [
    {
      method: 'get',
      path: '/metrics',
      scope: 'root',
      tag: 'node',
      summary: 'Prometheus metrics (text exposition format): replication lag, sync rounds, rejected entries, peers, HTTP latency, jobs, database size',
      responses: {
        '200': 'The metrics in Prometheus text format (text/plain; version=0.0.4)',
        '401': 'The node serves metrics only with its metrics token: Authorization: Bearer <metricsToken>',
        '403': 'The metrics token is not this node\'s',
        '404': 'Metrics are not enabled on this node (node.json "metrics" or "metricsToken")',
      },
      handler: async (req, res) => {
        if (!enabled || !metrics) return sendProblem(res, 404, 'not_found', 'Metrics are not enabled on this node (node.json "metrics": true or "metricsToken").');
        if (expected) {
          const h = req.get('authorization');
          if (!h) {
            res.set('WWW-Authenticate', 'Bearer realm="mochila-metrics"');
            return sendProblem(res, 401, 'unauthorized', 'This node serves metrics only with its metrics token: Authorization: Bearer <metricsToken>.');
          }
          const m = /^Bearer\s+(\S+)$/i.exec(h);
          if (!m || !timingSafeEqual(digest(m[1]!), expected)) return sendProblem(res, 403, 'forbidden', 'The metrics token is not valid for this node.');
        }
        const out = await metrics.scrape();
        res.set('Cache-Control', 'no-store').type(out.contentType).send(out.body);
      },
    },
  ];
}
