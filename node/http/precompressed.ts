/**
 * A JSON answer served many times from a cache (the catalogue search's answers by URL): its ETag and its brotli and
 * gzip encodings are computed once, on first use, and kept with it, instead of compressing the same bytes on every
 * request (the compression middleware did, ~165 µs per cached 18 KB search answer: BENCHMARKS.md). The same headers
 * and bytes as the plain path — `res.send` behind the compression middleware — with the same settings
 * (web-serving.ts); a 304 for a matching If-None-Match. Must never be used for an answer that varies by anything but
 * the cache key and Accept-Encoding.
 */
import type { Request, Response } from 'express';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { BROTLI_QUALITY, COMPRESS_THRESHOLD_BYTES, GZIP_LEVEL } from './web-serving.js';

// the encoding is chosen exactly as the compression middleware chooses it: with the copy of `negotiator` it uses
// (its own, older than express's) and its lists — brotli, then gzip, preferred when the client accepts them equally
type NegotiatorCtor = new (req: Request) => { encoding(available: string[], preferred?: string[]): string | undefined };
const requireFromCompression = createRequire(createRequire(import.meta.url).resolve('compression'));
const Negotiator = requireFromCompression('negotiator') as NegotiatorCtor;
const SUPPORTED = ['br', 'gzip', 'deflate', 'identity'];
const PREFERRED = ['br', 'gzip'];

export interface Precompressed {
  json: string;
  etag?: string;
  br?: Buffer;
  gzip?: Buffer;
  deflate?: Buffer;
}

export function precompressed(json: string): Precompressed {
  return { json };
}

export function sendPrecompressed(req: Request, res: Response, c: Precompressed): void {
  if (c.etag === undefined) {
    // express's own ETag function (the app's `etag` setting), as res.send would compute it
    const fn = req.app.get('etag fn') as ((body: string, encoding: string) => string) | undefined;
    c.etag = fn ? fn(c.json, 'utf8') : '';
  }
  res.type('application/json');
  if (c.etag) res.setHeader('ETag', c.etag);
  if (req.fresh) {
    res.send(c.json); // express answers 304 and drops the body's headers, as the plain path does
    return;
  }
  // what the compression middleware says of every JSON answer it lets through (it does not run for these routes)
  res.vary('Accept-Encoding');
  const length = Buffer.byteLength(c.json);
  if (length < COMPRESS_THRESHOLD_BYTES) {
    res.send(c.json);
    return;
  }
  const enc = new Negotiator(req).encoding(SUPPORTED, PREFERRED);
  let body: Buffer | null = null;
  if (enc === 'br') body = c.br ??= zlib.brotliCompressSync(c.json, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: length } });
  else if (enc === 'gzip') body = c.gzip ??= zlib.gzipSync(c.json, { level: GZIP_LEVEL });
  else if (enc === 'deflate') body = c.deflate ??= zlib.deflateSync(c.json, { level: GZIP_LEVEL });
  if (!body) {
    res.send(c.json);
    return;
  }
  res.setHeader('Content-Encoding', enc as string);
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
