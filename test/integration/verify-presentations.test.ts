// POST /api/v1/verify with presentations through a started node: the holder's proof against the challenge and
// domain given in the wrapped body (schemas/api/verify-request), an unsigned presentation never verified, bodies the
// schema refuses answered 400 (problem+json), and the OpenAPI document describing the wrapped body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as vc from '@digitalbazaar/vc';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { generateSeed } from '../../node/identity/keys.js';
import { createPresentationSigner, type PresentationSigner } from '../../node/credentials/sign.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/units');
const units = readdirSync(FIXTURES).filter((d) => statSync(path.join(FIXTURES, d)).isDirectory()).sort();
const chile = units.find((u) => JSON.parse(readFileSync(path.join(FIXTURES, u, 'profile.json'), 'utf8')).country === 'CL')!;
const catalogue = JSON.parse(readFileSync(path.join(FIXTURES, chile, 'catalogue.json'), 'utf8')) as (Record<string, unknown> & { code: string })[];

type Report = { verified: boolean; outcome: string; summary?: string; kind: string; checks: { id: string; status: string; reason: string }[] };
const check = (r: Report, id: string) => r.checks.find((c) => c.id === id)!;

describe('POST /api/v1/verify: presentations, challenge and domain', () => {
  let n: TestNode;
  let holder: PresentationSigner;
  let vp: Record<string, unknown>;
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json' });
  const post = (p: string, body: unknown, headers: Record<string, string> = admin()) =>
    fetch(`${n.url}${p}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const verify = async (body: unknown): Promise<Report> => {
    const r = await post('/api/v1/verify', body, { 'content-type': 'application/json' });
    expect(r.status, await r.clone().text()).toBe(200);
    return (await r.json()) as Report;
  };

  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL' });
    const pub = await post('/api/v1/admin/microcredentials', catalogue[0]);
    expect(pub.status, await pub.clone().text()).toBe(201);
    const issued = await post('/api/v1/admin/credentials', { microcredential: catalogue[0]!.code, learner: { name: 'María José Muñoz', email: 'mj@correo.example.cl' } });
    expect(issued.status, await issued.clone().text()).toBe(201);
    const credential = ((await issued.json()) as { credential: Record<string, unknown> }).credential;
    holder = await createPresentationSigner(generateSeed());
    vp = await holder.sign(vc.createPresentation({ verifiableCredential: [credential], holder: holder.did }), { challenge: 'reg-2026-0042', domain: 'registro.example.cl' });
  });
  afterAll(async () => {
    await n?.close();
  });

  it('a presentation signed with the challenge and domain asked for is verified', async () => {
    const r = await verify({ presentation: vp, challenge: 'reg-2026-0042', domain: 'registro.example.cl' });
    expect(r.kind).toBe('presentation');
    expect(check(r, 'holder_authenticated').status).toBe('ok');
    expect(r.verified, JSON.stringify(r.checks)).toBe(true);
    expect(r.summary).toBe('credentials verified, holder authenticated');
  });

  it('another challenge fails; an unsigned or forged presentation is never verified', async () => {
    const wrong = await verify({ presentation: vp, challenge: 'reg-2026-0043' });
    expect(check(wrong, 'holder_authenticated').status).toBe('failed');
    expect(wrong.outcome).toBe('failed');
    const { proof: _p, ...unsigned } = vp;
    const u = await verify(unsigned);
    expect(check(u, 'holder_authenticated').status).toBe('unchecked');
    expect(u.verified).toBe(false);
    expect(u.summary).toBe('credentials verified, holder not authenticated');
    const forged = await verify({ presentation: { ...vp, proof: { ...(vp['proof'] as object), proofValue: 'z1111' } } });
    expect(check(forged, 'holder_authenticated').status).toBe('failed');
    expect(forged.verified).toBe(false);
  });

  it('a wrapped body the schema refuses is a 400 problem', async () => {
    for (const body of [
      { presentation: vp, challenge: 42 },
      { presentation: vp, nonce: 'x' },
      { presentation: vp, credential: vp },
      { presentation: vp, challenge: '' },
    ]) {
      const r = await post('/api/v1/verify', body, { 'content-type': 'application/json' });
      expect(r.status, JSON.stringify(Object.keys(body))).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });

  it('the OpenAPI document describes the wrapped body with challenge and domain', async () => {
    type Doc = {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: { $ref: string } }> } }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const doc = (await (await fetch(`${n.url}/openapi.json`)).json()) as Doc;
    const ref = doc.paths['/api/v1/verify']!['post']!.requestBody.content['application/json']!.schema.$ref;
    expect(ref).toBe('#/components/schemas/api.verify-request');
    const schema = doc.components.schemas['api.verify-request']!;
    expect(Object.keys(schema.properties).sort()).toEqual(['challenge', 'credential', 'domain', 'presentation']);
  });
});
