// Issue 15 item 1, richer credentials: evidence (narratives, links, files stored by the node), results with their
// descriptions, credits earned and activity dates, issued over HTTP. The file's URL ends in its SHA-256 and the
// credential names it by digestSRI: the served bytes match both; hostile names, types and sizes are refused with their
// codes and nothing is stored; a file altered at rest turns the verification's evidence check to failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { ob3SchemaProblems } from '../../node/credentials/ob3-schema.js';
import { EVIDENCE_LIMITS } from '../../node/credentials/evidence-files.js';
import { PDF, PNG, RUBRIC } from '../helpers/evidence-fixtures.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/units');
const catalogue = JSON.parse(readFileSync(path.join(FIXTURES, 'cl-uac', 'catalogue.json'), 'utf8')) as (Record<string, unknown> & { code: string })[];

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('evidence, results, credits and activity dates at issuance (HTTP)', () => {
  let n: TestNode;
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json', 'accept-language': 'en' });
  const post = (p: string, body: unknown) => fetch(`${n.url}${p}`, { method: 'POST', headers: admin(), body: JSON.stringify(body) });
  const count = (table: string) => (n.node.services.store.sqlite.prepare(`SELECT count(*) AS c FROM ${table}`).get() as { c: number }).c;
  const issued = () => count('issued_credentials');

  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL' });
    for (const rec of catalogue.slice(0, 2)) {
      const r = await post('/api/v1/admin/microcredentials', rec);
      expect(r.status, await r.clone().text()).toBe(201);
    }
  });
  afterAll(async () => {
    await n?.close();
  });

  let cred: Record<string, any>;
  let credId: string;

  it('issues a credential with a portfolio file, a link, a narrative, rubric results, credits and dates', async () => {
    const r = await post('/api/v1/admin/credentials', {
      microcredential: catalogue[0]!.code,
      learner: { name: 'Camila Núñez', email: 'camila@correo.example.cl' },
      evidence: [
        { name: 'Portafolio final', genre: 'Portafolio', audience: 'Comité evaluador', description: 'Producciones del curso', narrative: 'Portafolio con las producciones de los tres módulos.', file: { name: 'portafolio-camila.pdf', mediaType: 'application/pdf', content: PDF.toString('base64') } },
        { name: 'Foto del póster', file: { name: 'póster.png', mediaType: 'image/png', content: PNG.toString('base64') } },
        { name: 'Repositorio del proyecto', url: 'https://repo.example.cl/camila/proyecto' },
        { narrative: 'Presentó el proyecto final ante el comité el 12 de junio.' },
      ],
      results: [...RUBRIC, { criterion: 'Nota final', resultType: 'ScaledScore', valueMin: '1.0', valueMax: '7.0', requiredValue: '4.0', value: '6.5' }],
      creditsEarned: 3,
      activityStartDate: '2026-03-02',
      activityEndDate: '2026-06-26T18:00:00Z',
    });
    expect(r.status, await r.clone().text()).toBe(201);
    const body = (await r.json()) as { id: string; credential: Record<string, any> };
    cred = body.credential;
    credId = body.id;

    // OB 3.0 evidence: the file's id ends in its hex SHA-256, digestSRI names the same digest
    const ev = cred.evidence as Record<string, any>[];
    expect(ev).toHaveLength(4);
    expect(ev[0]).toMatchObject({ type: ['Evidence'], name: 'Portafolio final', genre: 'Portafolio', audience: 'Comité evaluador', mediaType: 'application/pdf' });
    expect(ev[0]!.id).toBe(`${n.url}/api/v1/evidence/${sha(PDF)}`);
    expect(ev[0]!.digestSRI).toBe(`sha256-${createHash('sha256').update(PDF).digest('base64')}`);
    expect(ev[1]).toMatchObject({ id: `${n.url}/api/v1/evidence/${sha(PNG)}`, name: 'Foto del póster', mediaType: 'image/png' });
    expect(ev[2]).toEqual({ id: 'https://repo.example.cl/camila/proyecto', type: ['Evidence'], name: 'Repositorio del proyecto' });
    expect(ev[3]).toEqual({ type: ['Evidence'], narrative: 'Presentó el proyecto final ante el comité el 12 de junio.' });

    // results on the subject, their descriptions (and rubric levels) on the achievement
    const subject = cred.credentialSubject;
    expect(subject.creditsEarned).toBe(3);
    expect(subject.activityStartDate).toBe('2026-03-02T00:00:00Z');
    expect(subject.activityEndDate).toBe('2026-06-26T18:00:00Z');
    const descriptions = subject.achievement.resultDescription as Record<string, any>[];
    expect(descriptions.map((d) => d.name)).toEqual([...RUBRIC.map((x) => x.criterion), 'Nota final']);
    const critical = descriptions[0]!;
    expect(critical.resultType).toBe('RubricCriterionLevel');
    expect(critical.rubricCriterionLevel.map((l: { name: string }) => l.name)).toEqual(['Inicial', 'En desarrollo', 'Logrado', 'Destacado']);
    expect(critical.requiredLevel).toBe(critical.rubricCriterionLevel[1].id);
    const results = subject.result as Record<string, any>[];
    expect(results[0]).toEqual({ type: ['Result'], resultDescription: critical.id, achievedLevel: critical.rubricCriterionLevel[2].id });
    expect(results[4]).toEqual({ type: ['Result'], resultDescription: descriptions[4]!.id, value: '6.5' });

    // the 1EdTech schema as published, and the node's own verification (with its evidence check)
    expect(ob3SchemaProblems(cred)).toEqual([]);
    const v = await (await fetch(`${n.url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cred) })).json();
    expect(v.verified, JSON.stringify(v.checks)).toBe(true);
    expect(v.checks.find((c: { id: string }) => c.id === 'evidence')).toMatchObject({ status: 'ok', reason: expect.stringMatching(/^2 evidence file/) });
  });

  it('serves each file at its URL: the bytes hash to the digest in the URL and in digestSRI; never as active content', async () => {
    for (const [i, bytes] of [[0, PDF], [1, PNG]] as const) {
      const e = cred.evidence[i];
      const r = await fetch(e.id);
      expect(r.status).toBe(200);
      const got = Buffer.from(await r.arrayBuffer());
      expect(sha(got)).toBe(e.id.split('/').pop());
      expect(`sha256-${createHash('sha256').update(got).digest('base64')}`).toBe(e.digestSRI);
      expect(got.equals(bytes)).toBe(true);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('content-type')).toBe(e.mediaType);
      expect(r.headers.get('content-disposition')).toMatch(/^inline; filename="/);
    }
    // the UTF-8 name travels encoded; the ASCII fallback has no quote or path
    expect((await fetch(cred.evidence[1].id)).headers.get('content-disposition')).toBe(`inline; filename="p_ster.png"; filename*=UTF-8''p%C3%B3ster.png`);
    // a text file is a download under a sandbox
    const txt = Buffer.from('Reflexión final del curso.\n', 'utf8');
    const r = await post('/api/v1/admin/credentials', { microcredential: catalogue[1]!.code, learner: { name: 'Iván Soto', email: 'ivan@correo.example.cl' }, evidence: [{ file: { name: 'reflexion.txt', mediaType: 'text/plain', content: txt.toString('base64') } }] });
    expect(r.status, await r.clone().text()).toBe(201);
    const url = ((await r.json()) as { credential: { evidence: { id: string }[] } }).credential.evidence[0]!.id;
    const f = await fetch(url);
    expect(f.headers.get('content-disposition')).toMatch(/^attachment; filename="reflexion.txt"/);
    expect(f.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(f.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    // unknown or malformed digests: 404
    expect((await fetch(`${n.url}/api/v1/evidence/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await fetch(`${n.url}/api/v1/evidence/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
  });

  it('refuses hostile names, types, content and sizes with their codes, and stores nothing', async () => {
    const before = { credentials: issued(), files: count('evidence_files'), links: count('credential_evidence') };
    const attempt = async (file: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
      const r = await post('/api/v1/admin/credentials', { microcredential: catalogue[1]!.code, learner: { name: 'Eva Mala', email: 'eva@correo.example.cl' }, evidence: [{ file }], ...extra });
      return { status: r.status, body: (await r.json()) as { code: string; detail: string } };
    };
    const b64 = PDF.toString('base64');
    const cases: [Record<string, unknown>, number, string][] = [
      [{ name: '../../etc/passwd.pdf', mediaType: 'application/pdf', content: b64 }, 400, 'evidence_file_name_invalid'],
      [{ name: 'C:\\boot.pdf', mediaType: 'application/pdf', content: b64 }, 400, 'evidence_file_name_invalid'],
      [{ name: 'informe\u202Efdp.exe', mediaType: 'application/pdf', content: b64 }, 400, 'evidence_file_name_invalid'],
      [{ name: '.htaccess.pdf', mediaType: 'application/pdf', content: b64 }, 400, 'evidence_file_name_invalid'],
      [{ name: 'pagina.html', mediaType: 'application/pdf', content: b64 }, 400, 'evidence_file_name_invalid'],
      // a type off the allow-list is refused by the request schema already (400), and by the service (415) below
      [{ name: 'x.svg', mediaType: 'image/svg+xml', content: Buffer.from('<svg onload="alert(1)"/>').toString('base64') }, 400, 'validation_failed'],
      // content that is not what it claims to be
      [{ name: 'falso.pdf', mediaType: 'application/pdf', content: Buffer.from('<html><script>alert(1)</script>').toString('base64') }, 415, 'evidence_type_not_allowed'],
      [{ name: 'falso.png', mediaType: 'image/png', content: b64 }, 415, 'evidence_type_not_allowed'],
      [{ name: 'binario.txt', mediaType: 'text/plain', content: Buffer.from([0x41, 0x00, 0x42]).toString('base64') }, 415, 'evidence_type_not_allowed'],
      [{ name: 'grande.pdf', mediaType: 'application/pdf', content: Buffer.concat([PDF, Buffer.alloc(EVIDENCE_LIMITS.fileBytes)]).toString('base64') }, 400, 'validation_failed'],
    ];
    for (const [file, status, code] of cases) {
      const r = await attempt(file);
      expect([r.status, r.body.code], `${String(file.name)}: ${r.body.detail}`).toEqual([status, code]);
    }
    // over the per-file bound by a little (within the schema's base64 length): the service says evidence_file_too_large
    const justOver = Buffer.concat([PDF, Buffer.alloc(EVIDENCE_LIMITS.fileBytes - PDF.length + 1)]);
    expect(await attempt({ name: 'grande.pdf', mediaType: 'application/pdf', content: justOver.toString('base64') })).toMatchObject({ status: 413, body: { code: 'evidence_file_too_large' } });
    // too many files; too many bytes together
    const many = Array.from({ length: EVIDENCE_LIMITS.files + 1 }, (_, i) => ({ file: { name: `p${i}.pdf`, mediaType: 'application/pdf', content: Buffer.concat([PDF, Buffer.from(String(i))]).toString('base64') } }));
    let r = await post('/api/v1/admin/credentials', { microcredential: catalogue[1]!.code, learner: { name: 'Eva Mala', email: 'eva@correo.example.cl' }, evidence: many });
    expect([r.status, ((await r.json()) as { code: string }).code]).toEqual([413, 'evidence_too_many_files']);
    const big = Array.from({ length: 3 }, (_, i) => ({ file: { name: `b${i}.pdf`, mediaType: 'application/pdf', content: Buffer.concat([PDF, Buffer.alloc(3.5 * 1024 * 1024, i)]).toString('base64') } }));
    r = await post('/api/v1/admin/credentials', { microcredential: catalogue[1]!.code, learner: { name: 'Eva Mala', email: 'eva@correo.example.cl' }, evidence: big });
    expect([r.status, ((await r.json()) as { code: string }).code]).toEqual([413, 'evidence_file_too_large']);
    // a good file with a bad result: nothing stored either (checked before anything is allocated or signed)
    const bad = await attempt({ name: 'bien.pdf', mediaType: 'application/pdf', content: Buffer.concat([PDF, Buffer.from('x')]).toString('base64') }, { results: [{ criterion: 'Pensamiento crítico', levels: [{ name: 'Logrado' }], achievedLevel: 'Excelente' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/not one of its levels/);
    expect(await attempt({ name: 'bien.pdf', mediaType: 'application/pdf', content: b64 }, { creditsEarned: 99 })).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/more than the microcredential's credits/) } });
    expect(await attempt({ name: 'bien.pdf', mediaType: 'application/pdf', content: b64 }, { activityStartDate: '2026-06-01', activityEndDate: '2026-05-01' })).toMatchObject({ status: 400 });
    expect({ credentials: issued(), files: count('evidence_files'), links: count('credential_evidence') }).toEqual(before);
  });

  it('a file altered at rest is reported by the evidence check (a result, not a throw)', async () => {
    const digest = sha(PDF);
    n.node.services.store.sqlite.prepare('UPDATE evidence_files SET content = ? WHERE digest = ?').run(Buffer.concat([PDF, Buffer.from('% tampered\n')]), digest);
    const r = await fetch(`${n.url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cred) });
    expect(r.status).toBe(200);
    const v = (await r.json()) as { verified: boolean; checks: { id: string; status: string; reason: string }[] };
    expect(v.verified).toBe(false);
    const check = v.checks.find((c) => c.id === 'evidence')!;
    expect(check.status).toBe('failed');
    expect(check.reason).toContain('"Portafolio final"');
    // everything else still holds: only the evidence check failed
    expect(v.checks.filter((c) => c.status !== 'ok').map((c) => c.id)).toEqual(['evidence']);
    // and what is served no longer hashes to the URL's digest: anyone downloading it sees the mismatch too
    const served = Buffer.from(await (await fetch(cred.evidence[0].id)).arrayBuffer());
    expect(sha(served)).not.toBe(digest);
    expect(credId).toMatch(/^urn:uuid:/);
  });
});
