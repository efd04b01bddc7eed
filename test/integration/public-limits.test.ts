/**
 * Limits of the public endpoints that cost CPU: per-client rates for POST /api/v1/verify, the recognition lookup and
 * the report, read from node.json, answering 429 problem+json with Retry-After; and the node-wide concurrency gate
 * (at most N in flight, a short queue, then 503 busy with Retry-After).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { DEFAULT_PUBLIC_LIMITS, loadConfig, paths } from '../../node/config.js';
import { initNode } from '../../node/init.js';
import { HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, startNode, type MochilaNode } from '../../node/context.js';
import { silentLogger } from '../../node/core/logger.js';
import { ConcurrencyGate } from '../../node/http/limits.js';
import { errorHandler } from '../../node/http/problem.js';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

describe('public endpoint limits', () => {
  it('come from node.json (any subset, checked) with sane defaults', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mochila-limits-cfg-'));
    try {
      expect(loadConfig(dir, {}, {}).publicLimits).toEqual(DEFAULT_PUBLIC_LIMITS);
      writeFileSync(paths(dir).configFile, JSON.stringify({ publicLimits: { verify: 5, concurrent: 2 } }));
      expect(loadConfig(dir, {}, {}).publicLimits).toEqual({ ...DEFAULT_PUBLIC_LIMITS, verify: 5, concurrent: 2 });
      for (const bad of [{ verify: 0 }, { concurrent: 1.5 }, { report: '10' }, { verfy: 3 }, { windowMs: 10 }]) {
        writeFileSync(paths(dir).configFile, JSON.stringify({ publicLimits: bad }));
        expect(() => loadConfig(dir, {}, {}), JSON.stringify(bad)).toThrow(/publicLimits/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('on a running node', () => {
    let dir: string;
    let node: MochilaNode;
    let base: string;
    const mcId = `nada.${'0'.repeat(16)}`;
    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'mochila-limits-'));
      initNode({ dir, name: 'Universidad de Prueba', country: 'CL' });
      writeFileSync(paths(dir).configFile, JSON.stringify({ publicLimits: { verify: 3, lookup: 2, report: 2, windowMs: 600_000 } }));
      node = await startNode(loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pPort: -1, standalone: true }, {}), { logger: silentLogger });
      base = node.httpUrl;
    });
    afterAll(async () => {
      await node?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const expect429 = async (r: Response, what: string) => {
      expect(r.status, what).toBe(429);
      expect(r.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
      const retry = Number(r.headers.get('retry-after'));
      expect(retry, what).toBeGreaterThan(0);
      expect(retry, what).toBeLessThanOrEqual(600);
      expect(r.headers.get('ratelimit-policy'), what).toMatch(/q=\d+/);
      const p = (await r.json()) as { status: number; code: string; type: string; detail: string };
      expect(p).toMatchObject({ status: 429, code: 'rate_limited', type: 'https://mochila.network/problems/rate-limited' });
      // no Accept-Language: the node answers in Spanish (node/core/messages)
      expect(p.detail).toMatch(/Vuelva a intentarlo en \d+ s/);
    };

    it('a burst past the verify limit from node.json gets 429 problem+json with Retry-After; lookup and report have their own', async () => {
      const verify = () => fetch(`${base}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'no es una credencial' });
      // a burst of ten at once: three pass, seven are refused
      const burst = await Promise.all(Array.from({ length: 10 }, verify));
      expect(burst.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
      for (const r of burst.filter((x) => x.status === 429)) await expect429(r, 'verify burst');
      await expect429(await verify(), 'verify again');
      // the other endpoints have their own budgets
      const lookup = () => fetch(`${base}/api/v1/recognition/lookup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ microcredential: mcId }) });
      for (let i = 0; i < 2; i++) expect((await lookup()).status).toBe(404);
      await expect429(await lookup(), 'lookup');
      const report = () => fetch(`${base}/api/v1/recognition/report?microcredential=${mcId}`);
      for (let i = 0; i < 2; i++) expect((await report()).status).toBe(404);
      await expect429(await report(), 'report GET');
      await expect429(await fetch(`${base}/api/v1/recognition/report`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 'report POST');
      // endpoints without a limit are untouched
      expect((await fetch(`${base}/api/v1/microcredentials`)).status).toBe(200);
      // and the API document says so
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
      for (const [p, m] of [['/api/v1/verify', 'post'], ['/api/v1/recognition/lookup', 'post'], ['/api/v1/recognition/report', 'get'], ['/api/v1/recognition/report', 'post']] as const)
        expect(Object.keys(doc.paths[p]![m]!.responses), `${m} ${p}`).toEqual(expect.arrayContaining(['429', '503']));
    });

    it('the comparison of a microcredential runs the ranking of the lookup, so it is limited with it (429 with Retry-After)', async () => {
      // the lookup budget (2 in the window) was spent by the test above; the comparison shares it
      const burst = await Promise.all(Array.from({ length: 5 }, () => fetch(`${base}/api/v1/microcredentials/${mcId}/comparison`)));
      for (const r of burst) await expect429(r, 'comparison');
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
      expect(Object.keys(doc.paths['/api/v1/microcredentials/{id}/comparison']!.get!.responses)).toEqual(expect.arrayContaining(['429', '503']));
    });
  });

  describe('slow clients', () => {
    let t: TestNode;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      t = await startTestNode();
    });
    afterAll(async () => {
      for (const sock of sockets) sock.destroy();
      await t?.close();
    });

    it('sockets that send headers and one byte of their body hold no slot or queue place: an honest verification still runs', async () => {
      const { port } = new URL(t.url);
      // the defaults: 4 slots and 32 queue places; 40 slow bodies would fill both if the gate came before the body
      expect(DEFAULT_PUBLIC_LIMITS.concurrent + DEFAULT_PUBLIC_LIMITS.queue).toBeLessThan(40);
      for (let i = 0; i < 40; i++) {
        const sock = connect(Number(port), '127.0.0.1');
        sock.on('error', () => undefined);
        sockets.push(sock);
        await new Promise<void>((resolve, reject) => {
          sock.once('connect', () => resolve());
          sock.once('error', reject);
        });
        await new Promise<void>((resolve, reject) =>
          sock.write(`POST /api/v1/verify HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`, (err) => (err ? reject(err) : resolve())),
        );
      }
      // the server has them all (accepted and read) before the honest request comes
      const server = (t.node as unknown as { server: Server }).server;
      const deadline = Date.now() + 10_000;
      for (;;) {
        const n = await new Promise<number>((resolve, reject) => server.getConnections((err, c) => (err ? reject(err) : resolve(c))));
        if (n >= 40) break;
        if (Date.now() > deadline) throw new Error(`only ${n} connections`);
        await new Promise((r) => setTimeout(r, 10));
      }
      const honest = await fetch(`${t.url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'no es una credencial' });
      expect(honest.status).toBe(200);
      expect(((await honest.json()) as { verified: boolean }).verified).toBe(false);
      // and the slow ones are cut well before Node's 300 s default
      expect(server.requestTimeout).toBe(HTTP_REQUEST_TIMEOUT_MS);
      expect(server.headersTimeout).toBe(HTTP_HEADERS_TIMEOUT_MS);
      expect(HTTP_REQUEST_TIMEOUT_MS).toBeLessThanOrEqual(30_000);
    });
  });

  describe('the concurrency gate', () => {
    let server: ReturnType<express.Express['listen']>;
    let base: string;
    const gate = new ConcurrencyGate({ concurrent: 2, queue: 2, queueWaitMs: 60_000 });
    const held: (() => void)[] = [];
    beforeAll(async () => {
      const app = express();
      app.post('/work', gate.middleware(), (_req, res) => {
        held.push(() => res.json({ ok: true }));
      });
      app.use(errorHandler(silentLogger));
      await new Promise<void>((r) => {
        server = app.listen(0, '127.0.0.1', () => r());
      });
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    const until = async (cond: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(gate.stats)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };

    it('lets N run, queues a few, refuses the rest with 503 busy and Retry-After, and drains in order', async () => {
      const work = () => fetch(`${base}/work`, { method: 'POST' });
      const running = [work(), work()];
      await until(() => gate.stats.active === 2 && held.length === 2);
      const queued = [work(), work()];
      await until(() => gate.stats.queued === 2);
      const refused = await work();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.headers.get('retry-after')).toBe('60');
      expect(((await refused.json()) as { code: string }).code).toBe('busy');
      // finishing one lets one queued request in
      held.shift()!();
      expect((await running[0]!).status).toBe(200);
      await until(() => held.length === 2 && gate.stats.queued === 1);
      while (held.length || gate.stats.queued) {
        await until(() => held.length > 0);
        held.shift()!();
      }
      for (const r of await Promise.all([running[1]!, ...queued])) expect(r.status).toBe(200);
      expect(gate.stats).toEqual({ active: 0, queued: 0 });

      // a client that gives up while queued leaves the queue
      const busy = [work(), work()];
      await until(() => held.length === 2);
      const ac = new AbortController();
      const gone = fetch(`${base}/work`, { method: 'POST', signal: ac.signal }).catch(() => 'aborted');
      await until(() => gate.stats.queued === 1);
      ac.abort();
      expect(await gone).toBe('aborted');
      await until(() => gate.stats.queued === 0);
      while (held.length) held.shift()!();
      for (const r of await Promise.all(busy)) expect(r.status).toBe(200);
      await until(() => gate.stats.active === 0);
    });

    it('a client that hangs up while its request is being worked on does not free the slot before the work ends', async () => {
      const one = new ConcurrencyGate({ concurrent: 1, queue: 1, queueWaitMs: 60_000 });
      const app = express();
      const hold: (() => void)[] = [];
      let closed = false;
      app.post('/w', one.middleware(), (req, res) => {
        // registered after the gate's own listener, so when this runs the gate has seen the close too
        res.once('close', () => {
          closed = true;
        });
        hold.push(() => res.json({ ok: true }));
      });
      app.use(errorHandler(silentLogger));
      const srv = app.listen(0, '127.0.0.1');
      await new Promise((r) => srv.once('listening', r));
      const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/w`;
      try {
        const ac = new AbortController();
        const gone = fetch(url, { method: 'POST', signal: ac.signal }).catch(() => 'aborted');
        await until(() => hold.length === 1);
        ac.abort();
        expect(await gone).toBe('aborted');
        await until(() => closed);
        // the work goes on, so the slot is still taken: the next request queues
        expect(one.stats).toEqual({ active: 1, queued: 0 });
        const next = fetch(url, { method: 'POST' });
        await until(() => one.stats.queued === 1);
        // the work ends (its answer goes nowhere): the slot passes to the queued request
        hold.shift()!();
        await until(() => hold.length === 1);
        expect(one.stats).toEqual({ active: 1, queued: 0 });
        hold.shift()!();
        expect((await next).status).toBe(200);
        await until(() => one.stats.active === 0);
      } finally {
        srv.closeAllConnections();
        await new Promise((r) => srv.close(r));
      }
    });

    it('a request that waits longer than queueWaitMs gets 503 busy', async () => {
      const short = new ConcurrencyGate({ concurrent: 1, queue: 1, queueWaitMs: 50 });
      const app = express();
      const hold: (() => void)[] = [];
      app.post('/w', short.middleware(), (_req, res) => void hold.push(() => res.json({ ok: true })));
      app.use(errorHandler(silentLogger));
      const srv = app.listen(0, '127.0.0.1');
      await new Promise((r) => srv.once('listening', r));
      const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/w`;
      try {
        const first = fetch(url, { method: 'POST' });
        await until(() => hold.length === 1);
        const late = await fetch(url, { method: 'POST' });
        expect(late.status).toBe(503);
        expect(late.headers.get('retry-after')).toBe('1');
        expect(short.stats.queued).toBe(0);
        hold.shift()!();
        expect((await first).status).toBe(200);
        await until(() => short.stats.active === 0);
      } finally {
        srv.closeAllConnections();
        await new Promise((r) => srv.close(r));
      }
    });
  });
});
