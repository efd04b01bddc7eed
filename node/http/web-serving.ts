/**
 * How the node serves bytes like a product: compressed responses (brotli or gzip, by the client's Accept-Encoding)
 * and the web app's caching rules. Vite emits the app's scripts and styles as web/dist/assets/<name>-<hash>.<ext>:
 * their name changes whenever their content does, so they are cached for a year as immutable; index.html and every
 * other unhashed file must be revalidated (`no-cache`, answered 304 through its ETag), or a browser would keep an old
 * index.html pointing at assets a new release removed. Must never compress what is already compressed (images,
 * fonts, archives: the filter reads the content type) or bodies too small to gain, never serve index.html for a
 * missing asset (a stale page asking for an old hash gets a 404, not HTML under a script's name), and never let the
 * SPA fallback carry an immutable header.
 */
import compression from 'compression';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { withPreview, type LinkPreview } from './link-preview.js';

/** Bodies under this many bytes go out as they are: compressing them saves less than the headers cost. */
export const COMPRESS_THRESHOLD_BYTES = 1024;

/** zlib levels for per-request compression: cheap on CPU, most of the gain (see compressResponses). */
export const BROTLI_QUALITY = 2;
export const GZIP_LEVEL = 1;

export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
export const REVALIDATE_CACHE = 'no-cache';

/** The folder vite writes hashed files to (its default `build.assetsDir`). */
const ASSETS_DIR = 'assets';
/** `<name>-<hash>.<ext>` as vite (rollup) names them: an 8-character base64url hash before the extension. */
const HASHED_NAME = /-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$/;

/** Whether a file of the built web app is content-addressed (and so safe to cache forever). */
export function isHashedAsset(webDir: string, filePath: string): boolean {
  const rel = path.relative(webDir, filePath).split(path.sep);
  return rel.length === 2 && rel[0] === ASSETS_DIR && HASHED_NAME.test(rel[1]!);
}

/**
 * Brotli or gzip by Accept-Encoding (brotli preferred when both are accepted equally), only for compressible content
 * types (mime-db's list: JSON, HTML, CSS, JavaScript, CSV, SVG, text) of at least COMPRESS_THRESHOLD_BYTES. A response
 * with `Cache-Control: no-transform` is left alone. Streamed bodies stay streamed (the length header is dropped,
 * transfer is chunked). ETags stay weak (express's and serve-static's default), which is what two encodings of one
 * representation may share; `Vary: Accept-Encoding` is set on every compressible response.
 */
export function compressResponses(opts: { skip?: (req: Request) => boolean } = {}): RequestHandler {
  const compress = compression({
    threshold: COMPRESS_THRESHOLD_BYTES,
    // compressed per request, so the fast settings (measured on a 26 KB search answer: brotli 2 ≈ half the CPU of
    // the library's brotli 4 for 8 % more bytes; gzip 1 ≈ two thirds of gzip 6's for 13 % more)
    level: GZIP_LEVEL,
    brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } },
  });
  // routes that serve answers compressed once and cached (node/http/precompressed.ts) skip the per-request wrapper
  const skip = opts.skip;
  return skip ? (req, res, next) => (skip(req) ? next() : compress(req, res, next)) : compress;
}

/**
 * The built web app at `/`: hashed assets immutable for a year, every other file revalidated, a missing asset a 404,
 * and index.html (revalidated) for any other GET the static files do not hold (client-side routes). `isAppPath`
 * says which paths belong to the app's router (not the API, the docs or the health check).
 */
export function webApp(webDir: string, isAppPath: (p: string) => boolean, preview?: (pathname: string, lang: string | null) => LinkPreview | null): Router {
  const router = express.Router();
  const index = path.join(webDir, 'index.html');
  // index.html as text for pages with a link preview, read again when the file changes (a rebuild of the web app)
  let indexText: { mtimeMs: number; html: string } | null = null;
  const indexHtml = (): string => {
    const { mtimeMs } = statSync(index);
    if (!indexText || indexText.mtimeMs !== mtimeMs) indexText = { mtimeMs, html: readFileSync(index, 'utf8') };
    return indexText.html;
  };
  router.use(
    express.static(webDir, {
      index: 'index.html',
      // the Cache-Control header is written by setHeaders alone
      cacheControl: false,
      setHeaders: (res: Response, filePath: string) => {
        res.setHeader('Cache-Control', isHashedAsset(webDir, filePath) ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
      },
    }),
  );
  // a file under assets/ that does not exist: an old page asking for a removed hash, never the index under its name
  router.use(
    `/${ASSETS_DIR}/`,
    (_req: Request, res: Response) => void res.status(404).set('Cache-Control', REVALIDATE_CACHE).type('text/plain').send('not found'),
  );
  router.get(/.*/, (req: Request, res: Response, next) => {
    if (!isAppPath(req.path)) return next();
    // a shareable page (a microcredential, an institution): its own title and Open Graph tags (node/http/link-preview.ts)
    // a link shared with ?lang= previews in that language (the page opens in it too)
    const p = preview?.(req.path, typeof req.query['lang'] === 'string' ? req.query['lang'] : null);
    if (p) {
      res.set('Cache-Control', REVALIDATE_CACHE).type('html').send(withPreview(indexHtml(), p));
      return;
    }
    res.sendFile(index, { cacheControl: false, headers: { 'Cache-Control': REVALIDATE_CACHE } });
  });
  return router;
}
