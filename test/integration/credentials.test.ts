// Issuing, revoking and verifying credentials through a real started node: one and by CSV (bad rows, re-run),
// suspension / reinstatement / revocation through status lists, key rotation and compromise, every bad input the
// verifier must report, and an independent verifier (@digitalcredentials/vc) accepting what the node issues.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as dcc from '@digitalcredentials/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { independentLoader } from '../helpers/independent-loader.js';
import { createCredentialSigner } from '../../node/credentials/sign.js';
import { buildOpenBadgeCredential, type MicrocredentialRecordInput } from '../../node/credentials/ob3.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/units');
const units = readdirSync(FIXTURES).filter((d) => statSync(path.join(FIXTURES, d)).isDirectory()).sort();
const chile = units.find((u) => JSON.parse(readFileSync(path.join(FIXTURES, u, 'profile.json'), 'utf8')).country === 'CL')!;
const catalogue = JSON.parse(readFileSync(path.join(FIXTURES, chile, 'catalogue.json'), 'utf8')) as (Record<string, unknown> & { code: string })[];

type Report = { verified: boolean; outcome: string; checks: { id: string; status: string; reason: string }[]; issuer?: { member: boolean } };
const check = (r: Report, id: string) => r.checks.find((c) => c.id === id)!;

describe('credentials through a started node', () => {
  let n: TestNode;
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json' });
  const post = (p: string, body: unknown, headers: Record<string, string> = admin()) =>
    fetch(`${n.url}${p}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const verify = async (c: unknown): Promise<Report> => {
    const r = await post('/api/v1/verify', c, { 'content-type': 'application/json' });
    expect(r.status).toBe(200);
    return (await r.json()) as Report;
  };
  const issue = async (code: string, name: string, email: string) => {
    const r = await post('/api/v1/admin/credentials', { microcredential: code, learner: { name, email } });
    expect(r.status, await r.clone().text()).toBe(201);
    return (await r.json()) as { id: string; credential: Record<string, unknown>; verifyUrl: string; qrUrl: string; status: { revoked: boolean; suspended: boolean } };
  };
  const waitJob = async (id: string) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const j = await (await fetch(`${n.url}/api/v1/admin/jobs/${id}`, { headers: admin() })).json();
      if (j.state === 'done' || j.state === 'failed') return j;
      if (Date.now() > deadline) throw new Error(`job ${id} did not finish: ${JSON.stringify(j)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL' });
    for (const rec of catalogue.slice(0, 3)) {
      const r = await post('/api/v1/admin/microcredentials', rec);
      expect(r.status, await r.clone().text()).toBe(201);
    }
  });
  afterAll(async () => {
    await n?.close();
  });

  let first: Awaited<ReturnType<typeof issue>>;

  it('issues an Open Badges 3.0 credential that verifies here and with an independent verifier', async () => {
    first = await issue(catalogue[0]!.code, 'María José Muñoz Pérez', 'mj.munoz@correo.example.cl');
    const c = first.credential as Record<string, any>;
    expect(c.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(c.credentialSubject.achievement.achievementType).toBe('MicroCredential');
    // the proof as a one-proof set and one status entry (revocation), as 1EdTech's OB 3.0 schema wants; the
    // suspension bit is at the same index of the paired list
    expect(c.proof).toHaveLength(1);
    expect(c.proof[0].type).toBe('DataIntegrityProof');
    expect(c.proof[0].cryptosuite).toBe('eddsa-rdfc-2022');
    expect(c.credentialStatus.statusPurpose).toBe('revocation');
    // the e-mail is never in clear
    expect(JSON.stringify(c)).not.toContain('mj.munoz@');
    expect(c.credentialSubject.identifier[0].identityHash).toMatch(/^sha256\$[0-9a-f]{64}$/);

    const report = await verify(c);
    expect(report.checks.filter((x) => x.status !== 'ok'), JSON.stringify(report.checks)).toEqual([]);
    expect(report.verified).toBe(true);
    expect(report.issuer?.member).toBe(true);

    const ind = await dcc.verifyCredential({ credential: c, suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), documentLoader: independentLoader(), checkStatus: async () => ({ verified: true }) });
    expect(ind.verified, JSON.stringify(ind.error ?? null)).toBe(true);

    // the learner's link, the QR code, and the status list for verifiers outside the network
    const pub = await (await fetch(`${n.url}/api/v1/credentials/${encodeURIComponent(first.id)}`)).json();
    expect(pub.proof[0].proofValue).toBe(c.proof[0].proofValue);
    const qr = await fetch(first.qrUrl);
    expect(qr.headers.get('content-type')).toContain('image/svg+xml');
    expect(await qr.text()).toContain('<svg');
    expect(first.verifyUrl).toContain('/verify?credential=');
    const slUrl = c.credentialStatus.statusListCredential as string;
    const sl = await (await fetch(slUrl)).json();
    expect(sl.type).toContain('BitstringStatusListCredential');
    const slv = await dcc.verifyCredential({ credential: sl, suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), documentLoader: independentLoader(), checkStatus: async () => ({ verified: true }) });
    expect(slv.verified, JSON.stringify(slv.error ?? null)).toBe(true);
  });

  it('refuses a second issuance of the same microcredential to the same learner, and bad requests', async () => {
    const again = await post('/api/v1/admin/credentials', { microcredential: catalogue[0]!.code, learner: { name: 'María José Muñoz Pérez', email: 'MJ.Munoz@Correo.Example.cl' } });
    expect(again.status).toBe(409);
    expect((await post('/api/v1/admin/credentials', { microcredential: catalogue[0]!.code, learner: { name: 'Sin correo' } })).status).toBe(400);
    expect((await post('/api/v1/admin/credentials', { microcredential: 'no-existe', learner: { name: 'A', email: 'a@b.cl' } })).status).toBe(422);
    expect((await post('/api/v1/admin/credentials', { microcredential: catalogue[0]!.code, learner: { name: 'A', email: 'a@b.cl' } }, { 'content-type': 'application/json' })).status).toBe(401);
  });

  it('suspends, reinstates and revokes through the status lists', async () => {
    const c = await issue(catalogue[1]!.code, 'Joaquín Ñancupil Huenchumán', 'joaquin@correo.example.cl');
    const id = encodeURIComponent(c.id);
    // the reason category is one of the closed list an administrator may choose ('superseded' is re-issuance's)
    for (const reasonCategory of ['superseded', 'plagio', 3]) expect((await post(`/api/v1/admin/credentials/${id}/suspend`, { reasonCategory })).status).toBe(400);
    expect((await verify(c.credential)).verified).toBe(true);
    let r = await post(`/api/v1/admin/credentials/${id}/suspend`, { reason: 'revisión de evaluación', reasonCategory: 'assessment-annulled' });
    expect(r.status, await r.clone().text()).toBe(200);
    expect((await r.json()).status.suspended).toBe(true);
    let report = await verify(c.credential);
    expect(check(report, 'status').status).toBe('failed');
    expect(check(report, 'status').reason).toContain('suspended');
    expect((check(report, 'status') as { statusChange?: unknown }).statusChange).toMatchObject({ purpose: 'suspension', reason: 'assessment-annulled' });
    expect(JSON.stringify(report)).not.toContain('revisión de evaluación');
    expect(report.verified).toBe(false);
    // a reinstatement clears the category and takes none
    expect((await post(`/api/v1/admin/credentials/${id}/reinstate`, { reasonCategory: 'other' })).status).toBe(400);
    r = await post(`/api/v1/admin/credentials/${id}/reinstate`, {});
    expect(r.status).toBe(200);
    report = await verify(c.credential);
    expect(report.verified, JSON.stringify(report.checks)).toBe(true);
    r = await post(`/api/v1/admin/credentials/${id}/revoke`, { reason: 'plagio' });
    expect(r.status).toBe(200);
    report = await verify(c.credential);
    expect(check(report, 'status').status).toBe('failed');
    expect(check(report, 'status').reason).toContain('revoked');
    expect((check(report, 'status') as { statusChange?: { reason?: string } }).statusChange?.reason).toBeUndefined();
    expect((await post(`/api/v1/admin/credentials/${id}/revoke`, {})).status).toBe(409);
    expect((await post(`/api/v1/admin/credentials/${id}/reinstate`, {})).status).toBe(409);
    expect((await post(`/api/v1/admin/credentials/${encodeURIComponent('urn:uuid:00000000-0000-4000-8000-000000000000')}/revoke`, {})).status).toBe(404);
    // the first credential is untouched
    expect((await verify(first.credential)).verified).toBe(true);
  });

  it('issues a cohort from CSV (BOM, semicolons, accents), reports bad rows by line, and a re-run issues nothing twice', async () => {
    const code = catalogue[2]!.code;
    const csv =
      '\uFEFFnombre;correo;microcredencial\r\n' +
      `José Ángel Hernández López;jose.hernandez@correo.example.cl;${code}\r\n` +
      `;sin.nombre@correo.example.cl;${code}\r\n` +
      `Guadalupe Xóchitl Ramírez;guadalupe.ramirez@correo.example.cl;${code}\r\n` +
      `Ana Correo Malo;no-es-un-correo;${code}\r\n` +
      `Pedro Curso Inexistente;pedro@correo.example.cl;no-existe\r\n` +
      '\r\n' +
      `Ñuño Peña Ibáñez;nuno.pena@correo.example.cl;${code}\r\n`;
    const r = await post('/api/v1/admin/credentials/batch', { csv });
    expect(r.status, await r.clone().text()).toBe(202);
    const job = await waitJob((await r.json()).id);
    expect(job.state).toBe('done');
    expect(job.total).toBe(6);
    expect(job.issued).toBe(3);
    expect(job.failed).toBe(3);
    const byLine = Object.fromEntries(job.rows.map((x: { line: number }) => [x.line, x]));
    expect(byLine[3].status).toBe('failed');
    // the reasons in Spanish (no Accept-Language: node/core/messages)
    expect(byLine[3].error).toBe('Falta el nombre.');
    expect(byLine[5].error).toBe('No es una dirección de correo: no-es-un-correo');
    expect(byLine[6].error).toBe('El catálogo de esta unidad no tiene la microcredencial no-existe.');
    expect(byLine[8].status).toBe('issued');
    // every issued credential verifies
    const issued = job.rows.filter((x: { status: string }) => x.status === 'issued');
    for (const row of issued) {
      const cred = await (await fetch(`${n.url}/api/v1/credentials/${encodeURIComponent(row.id)}`)).json();
      expect(cred.credentialSubject.identifier[0].identityHash).toBeTruthy();
      expect((await verify(cred)).verified).toBe(true);
    }
    // the same file again, as text/csv this time: nothing new
    const r2 = await post('/api/v1/admin/credentials/batch', csv, { authorization: `Bearer ${n.token}`, 'content-type': 'text/csv' });
    expect(r2.status).toBe(202);
    const job2 = await waitJob((await r2.json()).id);
    expect(job2.issued).toBe(0);
    expect(job2.skipped).toBe(3);
    // each skipped row says since when the learner holds it
    const today = new Date().toISOString().slice(0, 10);
    for (const x of job2.rows.filter((y: { status: string }) => y.status === 'skipped')) expect(x.error).toBe(`Ya emitida el ${today}.`);
    const one = await (await fetch(`${n.url}/api/v1/admin/credentials/${encodeURIComponent(issued[0].id)}`, { headers: admin() })).json();
    const list = await (await fetch(`${n.url}/api/v1/admin/credentials?microcredential=${encodeURIComponent(one.microcredential)}`, { headers: admin() })).json();
    expect(list.total).toBe(3);
    // a file without a name column is refused as a whole
    const bad = await post('/api/v1/admin/credentials/batch', { csv: 'correo\na@b.cl\n' });
    expect(bad.status).toBe(400);
  });

  it('reports every bad input with its own failed check, never a crash or a network fetch', async () => {
    const c = first.credential as Record<string, any>;
    // not JSON
    const notJson = await post('/api/v1/verify', 'esto no es JSON', { 'content-type': 'text/plain' });
    expect(notJson.status).toBe(200);
    const nj = (await notJson.json()) as Report;
    expect(check(nj, 'parse').status).toBe('failed');
    expect(nj.verified).toBe(false);
    // not a VC
    const notVc = await verify({ hola: 'mundo' });
    expect(notVc.verified).toBe(false);
    expect(notVc.checks.some((x) => x.status === 'failed')).toBe(true);
    // unknown context, and a context that would need the network
    for (const ctx of ['https://example.org/contexts/unknown-v1.jsonld', 'https://schema.org/']) {
      const r = await verify({ ...c, '@context': [...c['@context'], ctx] });
      expect(check(r, 'contexts').status, ctx).toBe('failed');
      expect(r.verified).toBe(false);
    }
    // a tampered field
    const tampered = structuredClone(c);
    tampered.credentialSubject.achievement.name = 'Doctorado en Medicina';
    const t = await verify(tampered);
    expect(check(t, 'proof').status).toBe('failed');
    // a wrong proof value
    const wrong = structuredClone(c);
    wrong.proof[0].proofValue = wrong.proof[0].proofValue.slice(0, -4) + (wrong.proof[0].proofValue.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(check(await verify(wrong), 'proof').status).toBe('failed');
    // expired and not yet valid: signed by this unit's real issuer key, with dates outside the validity period
    const services = n.node.services;
    const key = services.keystore.issuers[services.keystore.issuers.length - 1]!.key;
    const signer = await createCredentialSigner(key.seed);
    const mc = services.credentials.resolveMicrocredential(catalogue[0]!.code);
    const build = (issuedAt: Date, validUntil?: Date) =>
      buildOpenBadgeCredential({
        record: mc.record as unknown as MicrocredentialRecordInput,
        microcredentialId: mc.id,
        institution: { did: services.keystore.institution.did, name: 'Universidad Austral de Prueba', country: 'CL' },
        issuerDid: signer.did,
        learner: { name: 'Prueba Fechas', email: 'fechas@correo.example.cl' },
        issuedAt,
        ...(validUntil ? { validUntil } : {}),
      });
    const now = Date.now();
    const past = await signer.sign(build(new Date(now - 3_600_000 * 24 * 400), new Date(now - 3_600_000 * 24 * 30)));
    const rPast = await verify(past);
    expect(check(rPast, 'validity_period').status).toBe('failed');
    expect(rPast.verified).toBe(false);
    const future = await signer.sign(build(new Date(now + 3_600_000 * 24 * 10)));
    expect(check(await verify(future), 'validity_period').status).toBe('failed');
  });

  it('keeps credentials signed before a rotation valid; after a compromise, fails later ones and no longer vouches for earlier ones', async () => {
    const before = await issue(catalogue[0]!.code, 'Antes de Rotar', 'antes@correo.example.cl');
    const services = n.node.services;
    const oldKey = services.keystore.issuers[services.keystore.issuers.length - 1]!.key;
    const issuedAt = Date.parse((before.credential as { validFrom: string }).validFrom);
    // credentials carry whole seconds: wait (bounded) for the next second, then sign one with the old key
    const deadline = Date.now() + 2_000;
    while (Math.floor(Date.now() / 1000) <= Math.floor(issuedAt / 1000) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    const signer = await createCredentialSigner(oldKey.seed);
    const later = structuredClone(before.credential) as Record<string, any>;
    delete later.proof;
    later.id = 'urn:uuid:11111111-2222-4333-8444-555555555555';
    const laterAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    later.validFrom = laterAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const laterSigned = await signer.sign(later);
    expect((await verify(laterSigned)).verified).toBe(true);
    // rotate, declaring the old key compromised since the second the later credential claims
    const r = await post('/api/v1/admin/keys/rotate', { compromisedSince: laterAt.toISOString() });
    expect(r.status, await r.clone().text()).toBe(200);
    // one that claims an earlier date is no longer taken at its word: a thief can backdate (the issuer re-issues)
    const earlier = await verify(before.credential);
    expect(check(earlier, 'key_valid_at_issuance').status, JSON.stringify(earlier.checks)).toBe('unchecked');
    expect(check(earlier, 'key_valid_at_issuance').reason).toMatch(/compromised/);
    expect(earlier.verified).toBe(false);
    // a forgery backdated before the compromise, with no status entry: not verified either
    const forged = structuredClone(before.credential) as Record<string, any>;
    delete forged.proof;
    delete forged.credentialStatus;
    forged.id = 'urn:uuid:99999999-2222-4333-8444-555555555555';
    const backdated = await verify(await signer.sign(forged));
    expect(backdated.verified).toBe(false);
    expect(check(backdated, 'key_valid_at_issuance').status).toBe('unchecked');
    const bad = await verify(laterSigned);
    expect(check(bad, 'key_valid_at_issuance').status).toBe('failed');
    expect(bad.verified).toBe(false);
    // new credentials use the new key and verify
    const after = await issue(catalogue[1]!.code, 'Después de Rotar', 'despues@correo.example.cl');
    expect((after.credential as { issuer: { id: string } }).issuer.id).not.toBe(oldKey.did);
    expect((await verify(after.credential)).verified).toBe(true);
  });
});
