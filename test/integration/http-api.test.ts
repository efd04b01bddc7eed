import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { loadConfig } from '../../node/config.js';
import { startNode } from '../../node/context.js';
import { silentLogger } from '../../node/core/logger.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/units');
const units = readdirSync(FIXTURES).filter((d) => statSync(path.join(FIXTURES, d)).isDirectory()).sort();
const catalogue = (slug: string) => JSON.parse(readFileSync(path.join(FIXTURES, slug, 'catalogue.json'), 'utf8')) as Record<string, unknown>[];
const chile = units.find((u) => JSON.parse(readFileSync(path.join(FIXTURES, u, 'profile.json'), 'utf8')).country === 'CL')!;

describe('HTTP API of a started node', () => {
  let n: TestNode;
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json' });

  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad de Prueba', country: 'CL' });
  });
  afterAll(async () => {
    await n?.close();
  });

  it('answers healthz, node, openapi and docs', async () => {
    const h = await fetch(`${n.url}/healthz`);
    expect(h.status).toBe(200);
    expect((await h.json()).status).toBe('ok');
    const node = await (await fetch(`${n.url}/api/v1/node`)).json();
    expect(node.did).toBe(n.did);
    expect(node.member).toBe(true);
    const doc = await (await fetch(`${n.url}/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/microcredentials'].get).toBeTruthy();
    expect(doc.components.schemas.microcredential).toBeTruthy();
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref.startsWith('#/components/schemas/'), ref).toBe(true);
      // every reference resolves inside the document
      const target = ref.slice(2).split('/').reduce((o: unknown, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
      expect(target, ref).toBeTruthy();
    }
    const docs = await fetch(`${n.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('protects admin endpoints: 401 without a token, 403 with a wrong one', async () => {
    const body = JSON.stringify(catalogue(chile)[0]);
    const r1 = await fetch(`${n.url}/api/v1/admin/microcredentials`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(r1.status).toBe(401);
    expect(r1.headers.get('content-type')).toContain('application/problem+json');
    const r2 = await fetch(`${n.url}/api/v1/admin/microcredentials`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: 'Bearer mch_000000000000_wrongwrongwrongwrongwrong' } });
    expect(r2.status).toBe(403);
    expect((await r2.json()).code).toBe('forbidden');
  });

  it('publishes the fixture catalogue and finds it with accent-free search, filters and facets', async () => {
    for (const rec of catalogue(chile)) {
      const r = await fetch(`${n.url}/api/v1/admin/microcredentials`, { method: 'POST', body: JSON.stringify(rec), headers: admin() });
      expect(r.status, await r.clone().text()).toBe(201);
    }
    const all = await (await fetch(`${n.url}/api/v1/microcredentials?pageSize=100`)).json();
    expect(all.total).toBe(catalogue(chile).length);
    expect(all.facets.country).toEqual([{ value: 'CL', count: catalogue(chile).length }]);
    // accent-insensitive: pick an accented word from a title and search it without accents
    const accented = all.items
      .flatMap((i: { title: { es?: string } }) => (i.title.es ?? '').split(/\s+/))
      .find((w: string) => /[áéíóúñ]/i.test(w) && w.length > 5) as string;
    expect(accented).toBeTruthy();
    const plain = accented.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]/g, '');
    const found = await (await fetch(`${n.url}/api/v1/microcredentials?q=${encodeURIComponent(plain)}`)).json();
    expect(found.total).toBeGreaterThan(0);
    expect(JSON.stringify(found.items).toLowerCase()).toContain(accented.toLowerCase().replace(/[^a-záéíóúñü]/gi, ''));
    // filters: participation and hours range
    const mode = all.items[0].participation.mode;
    const byMode = await (await fetch(`${n.url}/api/v1/microcredentials?participation=${mode}`)).json();
    expect(byMode.items.every((i: { participation: { mode: string } }) => i.participation.mode === mode)).toBe(true);
    const hours = await (await fetch(`${n.url}/api/v1/microcredentials?hoursMin=40&hoursMax=80`)).json();
    expect(hours.items.every((i: { workload: { hours: number } }) => i.workload.hours >= 40 && i.workload.hours <= 80)).toBe(true);
    // paging
    const p2 = await (await fetch(`${n.url}/api/v1/microcredentials?pageSize=3&page=2&sort=title`)).json();
    expect(p2.items).toHaveLength(3);
    expect(p2.page).toBe(2);
    // detail
    const d = await (await fetch(`${n.url}/api/v1/microcredentials/${encodeURIComponent(all.items[0].id)}`)).json();
    expect(d.learningOutcomes.length).toBeGreaterThan(0);
    expect(d.awardingBody.name).toBeTruthy();
    expect(d.institution.did).toBe(n.did);
  });

  it('answers 400 naming every missing EU element, 400 on bad queries, 413 on oversized bodies', async () => {
    const rec = { ...catalogue(chile)[0]!, code: 'incompleta-1' } as Record<string, unknown>;
    delete rec.learningOutcomes;
    delete rec.level;
    delete rec.qualityAssurance;
    const r = await fetch(`${n.url}/api/v1/admin/microcredentials`, { method: 'POST', body: JSON.stringify(rec), headers: admin() });
    expect(r.status).toBe(400);
    const p = await r.json();
    expect(['missing_eu_elements', 'validation_failed']).toContain(p.code);
    const text = JSON.stringify(p);
    for (const el of ['learning_outcomes', 'level', 'quality_assurance']) expect(text).toContain(el);
    const q = await fetch(`${n.url}/api/v1/microcredentials?hoursMin=abc`);
    expect(q.status).toBe(400);
    const big = await fetch(`${n.url}/api/v1/admin/microcredentials`, { method: 'POST', body: JSON.stringify({ x: 'a'.repeat(2_000_000) }), headers: admin() });
    expect(big.status).toBe(413);
    const bad = await fetch(`${n.url}/api/v1/admin/microcredentials`, { method: 'POST', body: '{not json', headers: admin() });
    expect(bad.status).toBe(400);
  });

  it('updates with a new version and withdraws with an entry, not a delete', async () => {
    const rec = catalogue(chile)[1]!;
    const code = rec.code as string;
    const upd = await fetch(`${n.url}/api/v1/admin/microcredentials/${code}`, { method: 'PUT', body: JSON.stringify({ ...rec, version: undefined, title: { es: 'Título actualizado', en: 'Updated title' } }), headers: admin() });
    expect(upd.status, await upd.clone().text()).toBe(200);
    const u = await upd.json();
    expect(u.version).toBe((rec.version as number) + 1);
    const w = await fetch(`${n.url}/api/v1/admin/microcredentials/${code}/withdraw`, { method: 'POST', body: JSON.stringify({ reason: 'replaced' }), headers: admin() });
    expect(w.status).toBe(200);
    const d = await (await fetch(`${n.url}/api/v1/microcredentials/${encodeURIComponent(u.id)}`)).json();
    expect(d.status).toBe('withdrawn');
    expect(d.versions.map((v: { version: number }) => v.version)).toEqual([rec.version, (rec.version as number) + 1]);
    const feed = await (await fetch(`${n.url}/api/v1/feeds/${n.did}?from=1`)).json();
    expect(feed.entries.at(-1).body.op).toBe('withdraw');
    const list = await (await fetch(`${n.url}/api/v1/microcredentials?q=${encodeURIComponent('Título actualizado')}`)).json();
    expect(list.total).toBe(0);
  });

  it('serves institutions, DIDs and feeds', async () => {
    const inst = await (await fetch(`${n.url}/api/v1/institutions`)).json();
    expect(inst.items.map((i: { did: string }) => i.did)).toContain(n.did);
    const one = await (await fetch(`${n.url}/api/v1/institutions/${n.did}`)).json();
    expect(one.issuerKeys).toHaveLength(1);
    expect(one.catalogue.length).toBeGreaterThan(0);
    const did = await (await fetch(`${n.url}/api/v1/dids/${n.did}`)).json();
    expect(did.didResolution.didDocument.id).toBe(n.did);
    expect(did.registry.institution.did).toBe(n.did);
    const key = await (await fetch(`${n.url}/api/v1/dids/${one.issuerKeys[0].keyId}`)).json();
    expect(key.registry.issuerKey.institution).toBe(n.did);
    const missing = await fetch(`${n.url}/api/v1/institutions/did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK`);
    expect(missing.status).toBe(404);
    const bad = await fetch(`${n.url}/api/v1/feeds/${n.did}?from=0`);
    expect(bad.status).toBe(400);
  });

  it('refuses to start on a key file with loose permissions, with a message that says what to do', async () => {
    await n.node.stop();
    chmodSync(path.join(n.dir, 'keystore.json'), 0o644);
    const cfg = loadConfig(n.dir, { httpPort: 0, httpHost: '127.0.0.1', p2pPort: -1 }, {});
    await expect(startNode(cfg, { logger: silentLogger })).rejects.toThrow(/chmod 600/);
    chmodSync(path.join(n.dir, 'keystore.json'), 0o600);
  });
});
