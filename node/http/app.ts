/**
 * The express application: security headers (CSP, no framing; node/http/security.ts), limits of the public
 * endpoints that cost CPU (node/http/limits.ts), JSON body limits, one router per area, OpenAPI + Swagger UI, the
 * web app, and the problem+json error handler. Must never contain domain logic: routers call services.
 */
import express, { type Express } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import swaggerUi from 'swagger-ui-express';
import type { Services } from '../context.js';
import { requireAdmin } from './auth.js';
import { buildOpenApi, type OperationDoc } from './openapi.js';
import { errorHandler, sendProblem } from './problem.js';
import { docsPolicy, securityHeaders } from './security.js';
import { publicLimiters } from './limits.js';
import { REPORT_STYLE_HASH } from '../recognition/report.js';
import { catalogueAdminRouter, catalogueRouter } from './routes/catalogue.routes.js';
import { institutionAdminRouter, registryRouter } from './routes/registry.routes.js';
import { createDidResolver } from '../identity/did-resolver.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export interface HttpExtension {
  /** Mounted under /api/v1 (public). */
  publicRouter?: express.Router;
  /** Mounted under /api/v1/admin behind the admin token. */
  adminRouter?: express.Router;
  /** Mounted at the root (e.g. /status-lists, /verify pages). */
  rootRouter?: express.Router;
  operations?: OperationDoc[];
}

export function createHttpApp(
  s: Services,
  opts: { publicUrl: () => string; extensions?: HttpExtension[]; webDir?: string; p2p?: () => { peerId: string; addresses: string[] } | null },
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders({ styleHashes: [REPORT_STYLE_HASH] }));
  const limit = s.config.maxBodyBytes;
  const json = express.json({ limit, type: ['application/json', 'application/*+json', 'application/ld+json'] });
  const text = express.text({ limit: 5 * limit, type: ['text/csv', 'text/plain'] });
  // public endpoints that cost CPU: the per-client rate first (before any body is read), then the body (capped
  // above), and only then the node-wide concurrency gate, so a client that sends its body slowly waits on its own
  // socket (cut by the server's requestTimeout, node/context.ts) and never holds a slot or a queue place
  const limits = publicLimiters(s.config.publicLimits, [json, text]);
  app.post('/api/v1/verify', ...limits.verify);
  app.post('/api/v1/recognition/lookup', ...limits.lookup);
  // the comparison runs the same ranking as the lookup, so it shares the lookup's budget
  app.get('/api/v1/microcredentials/:id/comparison', ...limits.lookup);
  app.get('/api/v1/recognition/report', ...limits.report);
  app.post('/api/v1/recognition/report', ...limits.report);
  // every other route: the same parsers (a body already read above is not read again)
  app.use(json);
  app.use(text);

  const resolver = createDidResolver();
  const exts = opts.extensions ?? [];

  app.get('/healthz', (_req, res) => {
    let db = 'ok';
    try {
      s.store.statement('SELECT 1').get();
    } catch {
      db = 'failed';
    }
    res.status(db === 'ok' ? 200 : 503).json({ status: db === 'ok' ? 'ok' : 'degraded', db, did: s.feed.author, network: s.network, version: VERSION });
  });

  const openapi = () => buildOpenApi(s.schemas, { version: VERSION, serverUrl: opts.publicUrl() }, exts.flatMap((e) => e.operations ?? []));
  app.get('/openapi.json', (_req, res) => res.json(openapi()));
  // Swagger UI: its init script is served as a file (swagger-ui-init.js), so its page runs under a CSP with no inline script
  const docsHtml = swaggerUi.generateHTML(undefined, { swaggerOptions: { url: '/openapi.json', validatorUrl: null }, customSiteTitle: 'MOCHILA node API' });
  app.use('/docs', docsPolicy(docsHtml), swaggerUi.serve);
  app.get('/docs', (_req, res) => void res.type('html').send(docsHtml));

  const api = express.Router();
  api.use(registryRouter(s, { publicUrl: opts.publicUrl, resolveDid: (did) => resolver.resolve(did), version: VERSION, ...(opts.p2p ? { p2p: opts.p2p } : {}) }));
  api.use(catalogueRouter(s));
  for (const e of exts) if (e.publicRouter) api.use(e.publicRouter);

  const admin = express.Router();
  admin.use(requireAdmin(s.adminTokens));
  admin.use(catalogueAdminRouter(s));
  admin.use(institutionAdminRouter(s));
  for (const e of exts) if (e.adminRouter) admin.use(e.adminRouter);

  api.use('/admin', admin);
  app.use('/api/v1', api);
  for (const e of exts) if (e.rootRouter) app.use(e.rootRouter);
  app.use('/api', (req, res) => sendProblem(res, 404, 'not_found', `no API route ${req.method} ${req.originalUrl}`));

  // the web app (built by `npm run build:web`), with the SPA fallback for non-API paths
  const webDir = opts.webDir ?? path.join(ROOT, 'web', 'dist');
  if (existsSync(path.join(webDir, 'index.html'))) {
    app.use(express.static(webDir, { index: 'index.html', maxAge: '1h' }));
    app.get(/^\/(?!api\/|openapi\.json|docs|healthz).*/, (_req, res) => res.sendFile(path.join(webDir, 'index.html')));
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
