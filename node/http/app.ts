/**
 * The express application: security headers (CSP, no framing; node/http/security.ts), limits of the public
 * endpoints that cost CPU (node/http/limits.ts), JSON body limits, the route tables of every area (registered here
 * and documented by /openapi.json from the same tables, node/http/route-table.ts), Swagger UI, the web app, and the
 * problem+json error handler. Must never contain domain logic: routes call services.
 */
import express, { type Express } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import swaggerUi from 'swagger-ui-express';
import type { NodeConfig } from '../config.js';
import type { Logger } from '../core/logger.js';
import type { PublicUrlProvider } from '../core/public-url.js';
import type { SchemaRegistry } from '../core/schema-registry.js';
import type { AdminTokens } from '../store/admin-tokens.js';
import type { Store } from '../store/database.js';
import { requireAdmin } from './auth.js';
import { buildOpenApi } from './openapi.js';
import { errorHandler, sendProblem } from './problem.js';
import { docsPolicy, securityHeaders } from './security.js';
import { compressResponses, webApp } from './web-serving.js';
import { perClientRate, publicLimiters } from './limits.js';
import { registerRoutes, type RouteDef } from './route-table.js';
import { REPORT_STYLE_HASH } from '../recognition/report.js';
import { SHARE_STYLE_HASH } from './routes/claims.routes.js';
import { catalogueAdminRoutes, catalogueRoutes, type CatalogueAdminRouteDeps, type CatalogueRouteDeps } from './routes/catalogue.routes.js';
import { institutionAdminRoutes, registryRoutes, type InstitutionAdminRouteDeps, type RegistryRouteDeps } from './routes/registry.routes.js';
import { createDidResolver } from '../identity/did-resolver.js';
import type { Metrics } from '../core/metrics.js';
import { requestMetrics } from './request-metrics.js';
import { linkPreview } from './link-preview.js';
import { walletCors } from './wallet-cors.js';
import { RegistryError } from '../core/errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** What the app itself and its built-in route tables use (the other areas come as route tables in `routes`). */
export type HttpAppDeps = RegistryRouteDeps &
  CatalogueRouteDeps &
  CatalogueAdminRouteDeps &
  InstitutionAdminRouteDeps & {
    config: Pick<NodeConfig, 'maxBodyBytes' | 'publicLimits' | 'mirror'>;
    logger: Logger;
    schemas: Pick<SchemaRegistry, 'schemas' | 'idFor' | 'assertValid'>;
    store: Pick<Store, 'statement'>;
    adminTokens: Pick<AdminTokens, 'verify'>;
  };

export interface HttpAppOptions {
  publicUrl: PublicUrlProvider;
  /** Route tables of the other areas (credentials, recognition, network), registered and documented like the built-in ones. */
  routes?: RouteDef[][];
  webDir?: string;
  p2p?: () => { peerId: string; addresses: string[] } | null;
  /** Told every answered request with its route pattern and duration (GET /metrics; node/http/request-metrics.ts). */
  metrics?: Pick<Metrics, 'httpRequest'>;
}

/** Admin routes whose JSON body may carry evidence files as base64 (node/credentials/evidence-files.ts bounds them). */
const EVIDENCE_BODY_PATHS = new Set(['/api/v1/admin/credentials', '/api/v1/admin/credentials/batch']);
/** Their body bound: 10 MiB of files per credential as base64, and the rest of the request. */
const EVIDENCE_BODY_BYTES = 16 * 1024 * 1024;

export function createHttpApp(s: HttpAppDeps, opts: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.set('trust proxy', 'loopback');
  if (opts.metrics) app.use(requestMetrics(opts.metrics));
  app.use(securityHeaders({ styleHashes: [REPORT_STYLE_HASH, SHARE_STYLE_HASH] }));
  // browser wallets: CORS on the OpenID4VCI endpoints only (and their preflights answered before any limit or body)
  app.use(walletCors());
  // brotli or gzip by Accept-Encoding for compressible bodies of 1 KiB or more (node/http/web-serving.ts)
  // except the catalogue search, whose cached answers carry their encodings made once (node/http/precompressed.ts)
  app.use(compressResponses({ skip: (req) => req.method === 'GET' && req.path === '/api/v1/microcredentials' }));
  const limit = s.config.maxBodyBytes;
  const json = express.json({ limit, type: ['application/json', 'application/*+json', 'application/ld+json'] });
  const text = express.text({ limit: 5 * limit, type: ['text/csv', 'text/plain'] });
  // a baked badge image sent to POST /api/v1/verify (node/credentials/baking.ts reads the credential out of it)
  const image = express.raw({ limit, type: ['image/png', 'image/svg+xml'] });
  // public endpoints that cost CPU: the per-client rate first (before any body is read), then the body (capped
  // above), and only then the node-wide concurrency gate, so a client that sends its body slowly waits on its own
  // socket (cut by the server's requestTimeout, node/context.ts) and never holds a slot or a queue place
  const limits = publicLimiters(s.config.publicLimits, [json, text, image]);
  app.post('/api/v1/verify', ...limits.verify);
  app.post('/api/v1/recognition/lookup', ...limits.lookup);
  // the comparison runs the same ranking as the lookup, so it shares the lookup's budget
  app.get('/api/v1/microcredentials/:id/comparison', ...limits.lookup);
  app.get('/api/v1/recognition/report', ...limits.report);
  app.post('/api/v1/recognition/report', ...limits.report);
  // a learner's claim link and share page verify the credential they show: their own per-client rate, the same gate
  app.use(['/api/v1/claims', '/share'], ...limits.claim);
  // a wallet's OpenID4VCI requests (node/http/routes/oid4vci.routes.ts; the credential endpoint signs): a rate of their
  // own at the claim link's figure, the body (the token request is a small form), then the same gate
  const form = express.urlencoded({ extended: false, limit: 8 * 1024, parameterLimit: 20 });
  app.use('/api/v1/oid4vci', perClientRate(s.config.publicLimits.claim, s.config.publicLimits.windowMs, 'wallet issuance'), json, form, limits.gate.middleware());
  // every other route: the same parsers (a body already read above is not read again); issuing, whose JSON may carry
  // evidence files (base64), reads its body only after the admin token is checked, with the larger bound below
  const issueJson = express.json({ limit: Math.max(limit, EVIDENCE_BODY_BYTES), type: ['application/json'] });
  app.use((req, res, next) => (req.method === 'POST' && EVIDENCE_BODY_PATHS.has(req.path) ? next() : json(req, res, next)));
  app.use(text);

  const resolver = createDidResolver();
  const health: RouteDef = {
    method: 'get',
    path: '/healthz',
    scope: 'root',
    tag: 'node',
    summary: 'Liveness and readiness',
    handler: (_req, res) => {
      let db = 'ok';
      try {
        s.store.statement('SELECT 1').get(); // raw SQL: a liveness probe of the connection, no table
      } catch {
        db = 'failed';
      }
      res.status(db === 'ok' ? 200 : 503).json({ status: db === 'ok' ? 'ok' : 'degraded', db, did: s.feed.author, network: s.network, version: VERSION });
    },
  };
  // every route the app serves, in registration order: each table holds its routes' documentation too
  const tables: RouteDef[][] = [
    [health],
    registryRoutes(s, { publicUrl: opts.publicUrl, resolveDid: (did) => resolver.resolve(did), version: VERSION, mirror: s.config.mirror, ...(opts.p2p ? { p2p: opts.p2p } : {}) }),
    catalogueRoutes(s),
    catalogueAdminRoutes(s),
    institutionAdminRoutes(s),
    ...(opts.routes ?? []),
  ];

  const openapi = () => buildOpenApi(s.schemas, { version: VERSION, serverUrl: opts.publicUrl.get() }, tables.flat());
  app.get('/openapi.json', (_req, res) => res.json(openapi()));
  // Swagger UI: its init script is served as a file (swagger-ui-init.js), so its page runs under a CSP with no inline script
  const docsHtml = swaggerUi.generateHTML(undefined, { swaggerOptions: { url: '/openapi.json', validatorUrl: null }, customSiteTitle: 'MOCHILA node API' });
  app.use('/docs', docsPolicy(docsHtml), swaggerUi.serve);
  app.get('/docs', (_req, res) => void res.type('html').send(docsHtml));

  // a read mirror publishes nothing: every path under /api/v1/admin is refused before the token is looked at
  if (s.config.mirror)
    app.use('/api/v1/admin', (_req, _res, next) =>
      next(new RegistryError('mirror_read_only', 'this node is a read mirror: it serves the public API only and publishes nothing; use the institution\'s own node for its admin API')),
    );
  // the admin token guards every path under /api/v1/admin, known or not
  app.use('/api/v1/admin', requireAdmin(s.adminTokens));
  app.post([...EVIDENCE_BODY_PATHS], issueJson);
  registerRoutes(app, tables);
  app.use('/api', (req, res) => sendProblem(res, 404, 'not_found', { key: 'http.noRoute', params: { method: req.method, path: req.originalUrl.slice(0, 300) } }));

  // the web app (built by `npm run build:web`), with the SPA fallback for non-API paths
  const webDir = opts.webDir ?? path.join(ROOT, 'web', 'dist');
  if (existsSync(path.join(webDir, 'index.html'))) {
    // hashed assets immutable, index.html and other files revalidated (node/http/web-serving.ts)
    // shareable pages get their own title and Open Graph tags (node/http/link-preview.ts)
    const previewDeps = { catalogue: s.catalogue, institutions: s.institutions, publicUrl: () => opts.publicUrl.get() };
    app.use(webApp(webDir, (p) => /^\/(?!api\/|openapi\.json|docs|healthz)/.test(p), (p, lang) => linkPreview(p, previewDeps, lang)));
  } else {
    app.get('/', (_req, res) => {
      res
        .type('html')
        .send(
          `<!doctype html><html lang="es"><meta charset="utf-8"><title>MOCHILA</title><body><h1>MOCHILA</h1><p>La interfaz web no está compilada (<code>npm run build:web</code>). / The web app is not built.</p><p><a href="/docs">API /docs</a> · <a href="/api/v1/microcredentials">/api/v1/microcredentials</a></p></body></html>`,
        );
    });
  }

  app.use(errorHandler(s.logger));
  return app;
}
