/**
 * Served like a product (issue 16 item 7): a started node answers brotli or gzip by Accept-Encoding with bodies that
 * decompress to the same JSON, leaves tiny bodies and already-compressed types alone, keeps ETag revalidation working
 * through compression, serves vite's hashed assets as immutable and index.html (and the SPA fallback) as `no-cache`,
 * and answers a missing hashed asset with a 404 rather than the index. Reads raw bytes through node:http, because
 * fetch would decompress them out of sight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { compressResponses, IMMUTABLE_CACHE, REVALIDATE_CACHE } from '../../node/http/web-serving.js';

const ROOT = path.resolve(__dirname, '../..');
const WEB_DIST = path.join(ROOT, 'web', 'dist');
const catalogue = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/units/cl-uac/catalogue.json'), 'utf8')) as Record<string, unknown>[];

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function rawGet(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const decode = (r: Raw): Buffer => {
  const enc = r.headers['content-encoding'];
  if (enc === 'br') return brotliDecompressSync(r.body);
  if (enc === 'gzip') return gunzipSync(r.body);
  if (enc === undefined) return r.body;
  throw new Error(`unexpected content-encoding ${enc}`);
};

describe('compressed responses', () => {
  let n: TestNode;
  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad de Compresión', country: 'CL' });
    for (const rec of catalogue) {
      const r = await fetch(`${n.url}/api/v1/admin/microcredentials`, {
        method: 'POST',
        body: JSON.stringify(rec),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${n.token}` },
      });
      expect(r.status, await r.clone().text()).toBe(201);
    }
  });
  afterAll(async () => n?.close());

  for (const path of ['/api/v1/microcredentials?pageSize=100', '/openapi.json']) {
    it(`${path}: br and gzip bodies decompress to the JSON sent uncompressed`, async () => {
      const plain = await rawGet(n.url + path);
      expect(plain.status).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.length).toBeGreaterThan(1024);
      const json = JSON.parse(plain.body.toString('utf8')) as unknown;

      const br = await rawGet(n.url + path, { 'accept-encoding': 'br' });
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers.vary?.toLowerCase()).toContain('accept-encoding');
      expect(br.body.length).toBeLessThan(plain.body.length);
      expect(JSON.parse(decode(br).toString('utf8'))).toEqual(json);

      const gz = await rawGet(n.url + path, { 'accept-encoding': 'gzip' });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.body.length).toBeLessThan(plain.body.length);
      expect(JSON.parse(decode(gz).toString('utf8'))).toEqual(json);

      // a browser sends both: brotli wins; deflate alone or an unknown coding: sent as is
      expect((await rawGet(n.url + path, { 'accept-encoding': 'gzip, deflate, br' })).headers['content-encoding']).toBe('br');
      expect((await rawGet(n.url + path, { 'accept-encoding': 'compress' })).headers['content-encoding']).toBeUndefined();
    });
  }

  it('the catalogue search compressed carries every imported record', async () => {
    const br = await rawGet(`${n.url}/api/v1/microcredentials?pageSize=100`, { 'accept-encoding': 'br' });
    expect((JSON.parse(decode(br).toString('utf8')) as { total: number }).total).toBe(catalogue.length);
  });

  it('keeps a weak ETag that revalidates (304) through compression, and a length only on identity bodies', async () => {
    const first = await rawGet(`${n.url}/openapi.json`, { 'accept-encoding': 'br' });
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\//);
    // a compressed body has no stale Content-Length (the body is streamed chunked)
    expect(first.headers['content-length']).toBeUndefined();
    const again = await rawGet(`${n.url}/openapi.json`, { 'accept-encoding': 'br', 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const plain = await rawGet(`${n.url}/openapi.json`);
    expect(plain.headers.etag).toBe(etag);
    expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
  });

  it('leaves bodies under 1 KiB uncompressed', async () => {
    const h = await rawGet(`${n.url}/healthz`, { 'accept-encoding': 'br, gzip' });
    expect(h.status).toBe(200);
    expect(h.body.length).toBeLessThan(1024);
    expect(h.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(h.body.toString('utf8'))).toMatchObject({ status: 'ok' });
  });
});

describe('compression never touches already-compressed types', () => {
  it('an image/png or application/zip body goes out as it is; text of the same size is compressed', async () => {
    const app = express();
    app.use(compressResponses());
    const bytes = Buffer.concat([randomBytes(4096), Buffer.alloc(4096)]);
    app.get('/png', (_req, res) => void res.type('image/png').send(bytes));
    app.get('/zip', (_req, res) => void res.type('application/zip').send(bytes));
    app.get('/csv', (_req, res) => void res.type('text/csv').send('a;b;c\n'.repeat(2000)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const p of ['/png', '/zip']) {
        const r = await rawGet(base + p, { 'accept-encoding': 'br, gzip' });
        expect(r.headers['content-encoding'], p).toBeUndefined();
        expect(r.body.equals(bytes), p).toBe(true);
      }
      const csv = await rawGet(`${base}/csv`, { 'accept-encoding': 'gzip' });
      expect(csv.headers['content-encoding']).toBe('gzip');
      expect(decode(csv).toString('utf8')).toBe('a;b;c\n'.repeat(2000));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('web app caching', () => {
  let n: TestNode;
  beforeAll(async () => {
    // the suite's pretest builds the web app (npm run build:web); without it the node serves no web app to check
    expect(existsSync(path.join(WEB_DIST, 'index.html')), 'web/dist is not built: npm run build:web').toBe(true);
    n = await startTestNode();
  });
  afterAll(async () => n?.close());

  it('serves the hashed assets index.html names as immutable for a year, compressed', async () => {
    const index = await rawGet(`${n.url}/`);
    const html = index.body.toString('utf8');
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) {
      expect(a).toMatch(/-[A-Za-z0-9_-]{8}\.(js|css)$/);
      const r = await rawGet(n.url + a, { 'accept-encoding': 'br' });
      expect(r.status, a).toBe(200);
      expect(r.headers['cache-control'], a).toBe(IMMUTABLE_CACHE);
      expect(r.headers['content-encoding'], a).toBe('br');
      expect(decode(r).equals(readFileSync(path.join(WEB_DIST, a))), a).toBe(true);
    }
  });

  it('index.html, the SPA fallback and unhashed files revalidate (no-cache, ETag 304), never immutable', async () => {
    for (const p of ['/', '/index.html', '/microcredenciales/alguna', '/verificar']) {
      const r = await rawGet(n.url + p);
      expect(r.status, p).toBe(200);
      expect(r.headers['content-type'], p).toContain('text/html');
      expect(r.headers['cache-control'], p).toBe(REVALIDATE_CACHE);
      expect(r.body.toString('utf8'), p).toContain('<div id="app"');
      const etag = r.headers.etag;
      expect(etag, p).toBeTruthy();
      expect((await rawGet(n.url + p, { 'if-none-match': etag! })).status, p).toBe(304);
    }
  });

  it('a missing hashed asset is a 404, not index.html under a script name', async () => {
    const r = await rawGet(`${n.url}/assets/index-AAAAAAAA.js`);
    expect(r.status).toBe(404);
    expect(r.headers['cache-control']).not.toContain('immutable');
    expect(r.body.toString('utf8')).not.toContain('<html');
  });

  it('API paths are not swallowed by the web app', async () => {
    const r = await rawGet(`${n.url}/api/v1/no-such-route`);
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toContain('application/problem+json');
  });
});
