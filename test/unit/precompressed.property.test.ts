/**
 * The cached search answer's fast path (node/http/precompressed.ts: ETag and encodings computed once) answers exactly
 * what the plain path answers — `res.send` behind the compression middleware — for random JSON bodies of every size,
 * random Accept-Encoding headers and conditional requests (property test, fixed seed): the same status, content type,
 * encoding, Vary and ETag, and the same bytes once decoded. Raw HTTP (node:http), so nothing is decoded for us.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import express from 'express';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { compressResponses } from '../../node/http/web-serving.js';
import { precompressed, sendPrecompressed, type Precompressed } from '../../node/http/precompressed.js';

let current = '';
let entry: Precompressed = precompressed('');
let plain: { server: Server; port: number };
let fast: { server: Server; port: number };

async function listen(app: express.Express) {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, port: (server.address() as AddressInfo).port };
}

beforeAll(async () => {
  const a = express();
  a.use(compressResponses());
  a.get('/x', (_req, res) => void res.type('application/json').send(current));
  plain = await listen(a);
  // the fast path runs without the middleware (node/http/app.ts skips it for the routes that serve precompressed answers)
  const b = express();
  b.use(compressResponses({ skip: (req) => req.path === '/x' }));
  b.get('/x', (req, res) => sendPrecompressed(req, res, entry));
  fast = await listen(b);
});
afterAll(async () => {
  await Promise.all([plain, fast].map((x) => new Promise((r) => x.server.close(r))));
});

function get(port: number, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/x', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer in 10 s to ${JSON.stringify(headers)} on port ${port}`)));
  });
}

function decode(r: { headers: http.IncomingHttpHeaders; body: Buffer }): string {
  const enc = r.headers['content-encoding'];
  const b = enc === 'br' ? zlib.brotliDecompressSync(r.body) : enc === 'gzip' ? zlib.gunzipSync(r.body) : enc === 'deflate' ? zlib.inflateSync(r.body) : r.body;
  return b.toString('utf8');
}

const acceptEncoding: fc.Arbitrary<string | undefined> = fc.constantFrom(undefined, 'identity', 'gzip', 'br', 'gzip, deflate', 'gzip, deflate, br', 'br;q=0.5, gzip', 'gzip;q=0, br;q=0', '*', 'deflate', 'identity;q=0');
const json = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.array(fc.record({ id: fc.string({ maxLength: 20 }), title: fc.string({ unit: 'grapheme', maxLength: 40 }), hours: fc.integer() }), { maxLength: 200, size: 'max' }).map((items) => JSON.stringify({ items })),
  // around the compression threshold (1 KiB) and well past it
  fc.tuple(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer({ min: 900, max: 40_000 })).map(([t, n]) => JSON.stringify({ t, pad: 'mochila '.repeat(n >> 3) })),
);

describe('precompressed answers', () => {
  it('equal the plain path: status, headers and decoded bytes, across encodings and conditional requests', async () => {
    await fc.assert(
      fc.asyncProperty(json, fc.array(fc.record({ ae: acceptEncoding, conditional: fc.boolean() }), { minLength: 1, maxLength: 4 }), async (body, asks) => {
        current = body;
        entry = precompressed(body);
        for (const { ae, conditional } of asks) {
          const h: Record<string, string> = ae === undefined ? {} : { 'accept-encoding': ae };
          if (conditional) h['if-none-match'] = (await get(plain.port, {})).headers.etag as string;
          const [p, f] = await Promise.all([get(plain.port, h), get(fast.port, h)]);
          expect(f.status).toBe(p.status);
          for (const k of ['content-type', 'content-encoding', 'vary', 'etag']) expect(f.headers[k], k).toEqual(p.headers[k]);
          if (p.status === 200) expect(decode(f)).toBe(decode(p));
        }
      }),
      {
        seed: 20261202,
        numRuns: 80,
        endOnFailure: true,
        // every encoding the middleware can choose, on a body past the threshold
        examples: [[JSON.stringify({ pad: 'mochila '.repeat(400) }), ['deflate', 'gzip', 'br', 'gzip, deflate, br', '*', 'identity;q=0'].map((ae) => ({ ae, conditional: false }))]],
      },
    );
  }, 120_000);
});
