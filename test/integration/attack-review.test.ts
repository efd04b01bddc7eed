// Attacker's review (helper AR), over HTTP: POST /api/v1/verify must not let anyone make this node re-hash its stored
// evidence files at will. A credential whose proof does not hold gets no evidence check (it could name a stored file
// thousands of times), and one verification re-hashes each stored file once, however many copies of a credential a
// presentation carries or however many times the credential names it (repeating an identical evidence entry leaves
// the RDF graph, so the proof, unchanged). Each failed before the fix (1000, 1000 and 100 re-hashes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { PDF } from '../helpers/evidence-fixtures.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/units');
const catalogue = JSON.parse(readFileSync(path.join(FIXTURES, 'cl-uac', 'catalogue.json'), 'utf8')) as (Record<string, unknown> & { code: string })[];

describe('stored evidence files are not re-hashed at an attacker\'s will (POST /api/v1/verify)', () => {
  let n: TestNode;
  let cred: Record<string, any>;
  let rehashes = 0;
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json' });
  const verify = async (body: unknown) => {
    const r = await fetch(`${n.url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status).toBe(200);
    return (await r.json()) as { checks: { id: string; status: string }[]; credentials?: { checks: { id: string; status: string }[] }[] };
  };

  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL' });
    const rec = await fetch(`${n.url}/api/v1/admin/microcredentials`, { method: 'POST', headers: admin(), body: JSON.stringify(catalogue[0]) });
    expect(rec.status, await rec.clone().text()).toBe(201);
    const r = await fetch(`${n.url}/api/v1/admin/credentials`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({
        microcredential: catalogue[0]!.code,
        learner: { name: 'Camila Núñez', email: 'camila@correo.example.cl' },
        evidence: [{ name: 'Portafolio', file: { name: 'portafolio.pdf', mediaType: 'application/pdf', content: PDF.toString('base64') } }],
      }),
    });
    expect(r.status, await r.clone().text()).toBe(201);
    cred = ((await r.json()) as { credential: Record<string, any> }).credential;
    // count the node's re-hashes of stored files (the verifier's evidence lookup calls EvidenceFiles.rehash)
    const files = n.node.services.credentials.evidence;
    const rehash = files.rehash.bind(files);
    files.rehash = (digest: string) => {
      rehashes++;
      return rehash(digest);
    };
  }, 180_000);
  afterAll(async () => {
    await n?.close();
  });

  it('the genuine credential: its file is re-hashed once and the evidence check passes', async () => {
    rehashes = 0;
    const v = await verify(cred);
    expect(v.checks.find((c) => c.id === 'evidence')?.status).toBe('ok');
    expect(rehashes).toBe(1);
  });

  it('the genuine credential with its evidence entry repeated 1000 times (the same RDF graph: the proof still holds) re-hashes the file once', async () => {
    rehashes = 0;
    const v = await verify({ ...cred, evidence: Array.from({ length: 1000 }, () => cred['evidence'][0]) });
    expect(v.checks.find((c) => c.id === 'proof')?.status).toBe('ok');
    expect(v.checks.find((c) => c.id === 'evidence')?.status).toBe('ok');
    expect(rehashes).toBe(1);
  });

  it('a credential whose proof fails, naming 1000 times the stored file: no evidence check, nothing re-hashed', async () => {
    rehashes = 0;
    const forged = { ...cred, name: 'Otra cosa', evidence: Array.from({ length: 1000 }, () => cred['evidence'][0]) };
    const v = await verify(forged);
    expect(v.checks.find((c) => c.id === 'proof')?.status).toBe('failed');
    expect(v.checks.find((c) => c.id === 'evidence')).toBeUndefined();
    expect(rehashes).toBe(0);
  });

  it('a presentation carrying the genuine credential 100 times re-hashes its file once', async () => {
    rehashes = 0;
    const vp = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: Array.from({ length: 100 }, () => cred) };
    await verify(vp);
    expect(rehashes).toBe(1);
  });
});
