// The response schemas the web's types are generated from (schemas/api, see scripts/gen-web-types.ts) describe what a
// started node really answers: every JSON body the web reads is validated against its schema, so a route that changes
// a response without its schema (or a schema that promises what no route sends) fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { generateKey } from '../../node/identity/keys.js';
import { createManifest } from '../../node/trust/manifest.js';
import { replicate } from '../helpers/replicate.js';
import { unitOfCountry } from '../helpers/fixtures.js';

const { catalogue } = unitOfCountry('CL');

describe('response schemas of what the web reads, against a started node', () => {
  const schemas = new SchemaRegistry();
  let n: TestNode;
  let mcId = '';
  let credential: Record<string, unknown>;
  const answers: Record<string, unknown[]> = { 'api/own-microcredential': [], 'api/issued-credential': [] };
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json' });
  const send = (method: string, p: string, body: unknown, headers: Record<string, string> = admin()) =>
    fetch(`${n.url}${p}`, { method, headers, body: JSON.stringify(body) });
  const get = async (p: string): Promise<unknown> => {
    const r = await fetch(`${n.url}${p}`);
    expect(r.status, `${p}: ${await r.clone().text()}`).toBe(200);
    return r.json();
  };
  const expectValid = (schema: string, body: unknown) =>
    expect(schemas.validate(schema, body), `${schema}: ${JSON.stringify(body).slice(0, 400)}`).toEqual({ ok: true });

  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL' });
    for (const record of catalogue.slice(0, 2)) {
      const pub = await send('POST', '/api/v1/admin/microcredentials', record);
      expect(pub.status, await pub.clone().text()).toBe(201);
      answers['api/own-microcredential']!.push(await pub.json());
    }
    const withdrawn = (await (
      await send('POST', `/api/v1/admin/microcredentials/${catalogue[1]!.code}/withdraw`, { reason: 'replaced' })
    ).json()) as { id: string };
    answers['api/own-microcredential']!.push(withdrawn);
    mcId = withdrawn.id;
    const again = await send('PUT', `/api/v1/admin/microcredentials/${catalogue[0]!.code}`, { ...catalogue[0], version: 2 });
    expect(again.status, await again.clone().text()).toBe(200);
    answers['api/own-microcredential']!.push(await again.json());
    const issued = await send('POST', '/api/v1/admin/credentials', {
      microcredential: catalogue[0]!.code,
      learner: { name: 'María José Muñoz', email: 'mj@correo.example.cl' },
    });
    expect(issued.status, await issued.clone().text()).toBe(201);
    const one = (await issued.json()) as { credential: Record<string, unknown> };
    answers['api/issued-credential']!.push(one);
    credential = one.credential;
  });
  afterAll(async () => {
    await n?.close();
  });

  it('catalogue search and its facets (api/microcredential-search), active and withdrawn', async () => {
    const active = (await get('/api/v1/microcredentials')) as { items: unknown[] };
    expect(active.items.length).toBeGreaterThan(0);
    expectValid('api/microcredential-search', active);
    expectValid('api/microcredential-search', await get('/api/v1/microcredentials?status=all&q=zzzz-nada'));
    const all = (await get('/api/v1/microcredentials?status=all')) as { items: { status: string }[] };
    expect(all.items.map((i) => i.status).sort()).toEqual(['active', 'withdrawn']);
    expectValid('api/microcredential-search', all);
  });

  it('microcredential detail (api/microcredential-detail): current, an earlier version, withdrawn', async () => {
    const list = (await get('/api/v1/microcredentials')) as { items: { id: string }[] };
    const id = list.items[0]!.id;
    const detail = (await get(`/api/v1/microcredentials/${encodeURIComponent(id)}`)) as { versions: unknown[] };
    expect(detail.versions).toHaveLength(2);
    expectValid('api/microcredential-detail', detail);
    expectValid('api/microcredential-detail', await get(`/api/v1/microcredentials/${encodeURIComponent(id)}?version=1`));
    const withdrawn = (await get(`/api/v1/microcredentials/${encodeURIComponent(mcId)}`)) as { status: string };
    expect(withdrawn.status).toBe('withdrawn');
    expectValid('api/microcredential-detail', withdrawn);
  });

  it('institutions (api/institution-list) and one institution with its catalogue (api/institution-detail)', async () => {
    const list = (await get('/api/v1/institutions')) as { items: { did: string }[] };
    expect(list.items.map((i) => i.did)).toContain(n.did);
    expectValid('api/institution-list', list);
    const one = (await get(`/api/v1/institutions/${encodeURIComponent(n.did)}`)) as { catalogue: unknown[] };
    expect(one.catalogue.length).toBeGreaterThan(0);
    expectValid('api/institution-detail', one);
  });

  it('network status (api/network-status) and recognition decisions (api/recognition-decision-list)', async () => {
    expectValid('api/network-status', await get('/api/v1/network'));
    expectValid('api/recognition-decision-list', await get('/api/v1/recognitions'));
  });

  it('verification reports (api/verification-report): signed by the node, tampered, not a credential, a presentation', async () => {
    const verify = async (body: unknown) => {
      const r = await send('POST', '/api/v1/verify', body, { 'content-type': 'application/json' });
      expect(r.status, await r.clone().text()).toBe(200);
      return (await r.json()) as { outcome: string; checks: { id: string; status: string }[] };
    };
    const ok = await verify(credential);
    expect(ok.checks.find((c) => c.id === 'proof')?.status, JSON.stringify(ok.checks)).toBe('ok');
    expectValid('api/verification-report', ok);
    const tampered = await verify({ ...credential, validFrom: '2020-01-01T00:00:00Z' });
    expect(tampered.outcome).toBe('failed');
    expectValid('api/verification-report', tampered);
    expectValid('api/verification-report', await verify({ credential: 'not json' }));
    const vp = await verify({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
      verifiableCredential: [credential],
    });
    expectValid('api/verification-report', vp);
  });

  it('reference data is served as the files schemas/reference/*.schema.json describe (test/unit/reference-data.test.ts validates them)', async () => {
    for (const name of ['credit-systems', 'levels', 'isced-f']) {
      const file = JSON.parse(readFileSync(path.resolve(__dirname, `../../schemas/reference/${name}.json`), 'utf8'));
      expect(await get(`/api/v1/reference/${name}`), name).toEqual(file);
    }
  });

  it("the registrar's lookup (api/recognition-lookup-answer): by id, by credential, a credential naming nothing known", async () => {
    const lookup = async (body: unknown) => {
      const r = await send('POST', '/api/v1/recognition/lookup', body, { 'content-type': 'application/json' });
      expect(r.status, await r.clone().text()).toBe(200);
      return (await r.json()) as { microcredential: unknown; verification: unknown; note?: string };
    };
    const byId = await lookup({ microcredential: mcId });
    expect(byId.microcredential).not.toBeNull();
    expectValid('api/recognition-lookup-answer', byId);
    const byCredential = await lookup({ credential });
    expect(byCredential.verification).not.toBeNull();
    expectValid('api/recognition-lookup-answer', byCredential);
  });

  it('admin answers: own catalogue, issued credential, issued list, a revoke, a cohort job and its rows', async () => {
    for (const [schema, bodies] of Object.entries(answers)) for (const b of bodies) expectValid(schema, b);
    const admin = async (p: string) => {
      const r = await fetch(`${n.url}${p}`, { headers: { authorization: `Bearer ${n.token}` } });
      expect(r.status, `${p}: ${await r.clone().text()}`).toBe(200);
      return r.json();
    };
    const own = (await admin('/api/v1/admin/microcredentials')) as { items: unknown[] };
    expect(own.items).toHaveLength(2);
    expectValid('api/own-microcredential-list', own);
    const list = (await admin('/api/v1/admin/credentials')) as { items: { id: string }[] };
    expectValid('api/issued-credential-list', list);
    const revoked = await send('POST', `/api/v1/admin/credentials/${encodeURIComponent(list.items[0]!.id)}/revoke`, { reason: 'error' });
    expect(revoked.status, await revoked.clone().text()).toBe(200);
    expectValid('api/issued-credential', await revoked.json());
    expectValid('api/issued-credential-list', await admin('/api/v1/admin/credentials?status=revoked'));
    const started = await send('POST', '/api/v1/admin/credentials/batch', {
      csv: 'nombre;correo\nAna Pérez;ana@correo.example.cl\nSin Correo;\n',
      microcredential: catalogue[0]!.code,
    });
    expect(started.status, await started.clone().text()).toBe(202);
    let job = (await started.json()) as { id: string; state: string; rows: unknown[] };
    expectValid('api/credential-job', job);
    const deadline = Date.now() + 60_000;
    while (job.state === 'queued' || job.state === 'running') {
      if (Date.now() > deadline) throw new Error(`batch job still ${job.state}`);
      await new Promise((r) => setTimeout(r, 100));
      job = (await admin(`/api/v1/admin/jobs/${encodeURIComponent(job.id)}`)) as typeof job;
    }
    expect(job.rows).toHaveLength(2);
    expectValid('api/credential-job', job);
    expectValid('api/credential-job', await admin(`/api/v1/admin/jobs/${encodeURIComponent(job.id)}?from=1`));
  });

  it('the schemas are not empty promises: a body missing a required field or with an unknown status is refused', async () => {
    const detail = (await get(`/api/v1/microcredentials/${encodeURIComponent(mcId)}`)) as Record<string, unknown>;
    expect(schemas.validate('api/microcredential-detail', { ...detail, status: 'deleted' }).ok).toBe(false);
    const { versions: _v, ...noVersions } = detail;
    expect(schemas.validate('api/microcredential-detail', noVersions).ok).toBe(false);
    const report = await (await send('POST', '/api/v1/verify', credential, { 'content-type': 'application/json' })).json();
    expect(schemas.validate('api/verification-report', { ...report, checks: [{ id: 'proof', status: 'fine', reason: '' }] }).ok).toBe(
      false,
    );
  });
});

describe('response schemas with a decision about another institution (two started nodes, replicated without libp2p)', () => {
  const schemas = new SchemaRegistry();
  const nodes: TestNode[] = [];
  afterAll(async () => {
    for (const n of nodes) await n.close();
  });

  it('a recorded decision is valid in the decision list (api/recognition-decision-list), the detail and the lookup', async () => {
    const cl = generateKey();
    const gt = generateKey();
    const manifest = createManifest({
      name: 'red de prueba',
      founders: [cl.did, gt.did],
      endorsements: 1,
      createdAt: new Date('2026-01-01T00:00:00Z'),
    });
    const a = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL', manifest, key: cl });
    nodes.push(a);
    const b = await startTestNode({ name: 'Universidad de Guatemala de Prueba', country: 'GT', manifest, key: gt });
    nodes.push(b);
    // new databases of a two-member network, neither of which has written anything: as `mochila start --standalone` would
    for (const n of [a, b]) n.node.services.ownFeed.confirm('standalone', 'test: new nodes, replicated by hand');
    const pub = await fetch(`${a.url}/api/v1/admin/microcredentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(catalogue[0]),
    });
    expect(pub.status, await pub.clone().text()).toBe(201);
    const id = ((await pub.json()) as { id: string }).id;
    replicate(a.node.services, b.node.services);
    const decision = {
      microcredential: { id, version: 1 },
      outcome: 'credits',
      credits: { system: 'SCT-Chile', value: 2 },
      validFrom: '2026-12-01',
      reasons: { es: 'Resultados comparables.' },
    };
    const rec = await fetch(`${b.url}/api/v1/admin/recognitions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(decision),
    });
    expect(rec.status, await rec.clone().text()).toBe(201);
    const valid = (schema: string, body: unknown) =>
      expect(schemas.validate(schema, body), `${schema}: ${JSON.stringify(body).slice(0, 400)}`).toEqual({ ok: true });
    const list = (await (await fetch(`${b.url}/api/v1/recognitions?microcredential=${encodeURIComponent(id)}`)).json()) as {
      items: unknown[];
    };
    expect(list.items).toHaveLength(1);
    valid('api/recognition-decision-list', list);
    const detail = (await (await fetch(`${b.url}/api/v1/microcredentials/${encodeURIComponent(id)}`)).json()) as {
      recognitions: unknown[];
    };
    expect(detail.recognitions).toHaveLength(1);
    valid('api/microcredential-detail', detail);
    const lookup = await fetch(`${b.url}/api/v1/recognition/lookup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ microcredential: id }),
    });
    const answer = (await lookup.json()) as { decisions: unknown[] };
    expect(answer.decisions).toHaveLength(1);
    valid('api/recognition-lookup-answer', answer);
  });
});
