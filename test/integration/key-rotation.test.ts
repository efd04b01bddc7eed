// Issuer key rotation and compromise with status lists, through real started nodes: an independent, default-configured
// status check (@digitalcredentials/vc-bitstring-status-list, verifyMatchingIssuers on) on credentials of old and new
// keys; the issuer learners see across rotations; a rotation and a compromise made by the CLI against the running
// node's database, picked up without a restart; signing refused with a compromised key; re-issuing after a
// revocation or a compromise (one credential in force per learner); the filtered admin list of credentials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { independentCheckStatus, setPurposes } from '../helpers/independent-status.js';
import { pairedSuspensionListUrl } from '../../node/credentials/status-list.js';
import { withServices } from '../../node/cli-common.js';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/mochila.js');
const FIXTURES = path.join(ROOT, 'fixtures/units');
const units = readdirSync(FIXTURES).filter((d) => statSync(path.join(FIXTURES, d)).isDirectory()).sort();
const chile = units.find((u) => JSON.parse(readFileSync(path.join(FIXTURES, u, 'profile.json'), 'utf8')).country === 'CL')!;
const catalogue = JSON.parse(readFileSync(path.join(FIXTURES, chile, 'catalogue.json'), 'utf8')) as (Record<string, unknown> & { code: string })[];

type Report = { verified: boolean; checks: { id: string; status: string; reason: string }[]; issuer?: { did: string; keyId: string } };
// credentials are read deep and loosely in assertions
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Cred = Record<string, any>;
type Issued = { id: string; issuedAt: string; issuerKey: string; credential: Cred; status: { revoked: boolean; suspended: boolean }; replacedBy: string | null };

function mochila(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 90_000, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** HTTP helpers bound to one started node. */
function client(get: () => TestNode) {
  const admin = () => ({ authorization: `Bearer ${get().token}`, 'content-type': 'application/json' });
  const post = (p: string, body: unknown, headers: Record<string, string> = admin()) =>
    fetch(`${get().url}${p}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const getJson = async (p: string, headers: Record<string, string> = admin()) => {
    const r = await fetch(`${get().url}${p}`, { headers });
    expect(r.status, `${p}: ${await r.clone().text()}`).toBe(200);
    return r.json();
  };
  return {
    post,
    getJson,
    status: async (p: string) => (await fetch(`${get().url}${p}`, { headers: admin() })).status,
    issue: async (code: string, name: string, email: string): Promise<Issued> => {
      const r = await post('/api/v1/admin/credentials', { microcredential: code, learner: { name, email } });
      expect(r.status, await r.clone().text()).toBe(201);
      return (await r.json()) as Issued;
    },
    act: async (id: string, action: 'revoke' | 'suspend', reason = 'prueba') => {
      const r = await post(`/api/v1/admin/credentials/${encodeURIComponent(id)}/${action}`, { reason });
      expect(r.status, await r.clone().text()).toBe(200);
    },
    verify: async (c: unknown): Promise<Report> => {
      const r = await post('/api/v1/verify', c, { 'content-type': 'application/json' });
      expect(r.status).toBe(200);
      return (await r.json()) as Report;
    },
    rotate: async (body: Record<string, unknown> = {}) => {
      const r = await post('/api/v1/admin/keys/rotate', body);
      expect(r.status, await r.clone().text()).toBe(200);
      return (await r.json()) as { newKeyId: string; oldKeyId: string; resignedLists: string[] };
    },
  };
}

const issuerOf = (c: Cred): string => (typeof c.issuer === 'string' ? c.issuer : c.issuer.id);
const statusUrls = (c: Cred): string[] => [c.credentialStatus].flat().map((s: { statusListCredential: string }) => s.statusListCredential);
const listIssuer = async (url: string): Promise<string> => issuerOf((await (await fetch(url)).json()) as Cred);
const check = (r: Report, id: string) => r.checks.find((c) => c.id === id)!;

describe('rotation: status lists per issuer key, the issuer learners see, re-issuing, the filtered list', () => {
  let n: TestNode;
  const h = client(() => n);
  let a1: Issued;
  let a2: Issued;
  let b: Issued;
  let k1: string;
  let k2: string;

  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL' });
    for (const rec of catalogue.slice(0, 3)) {
      const r = await h.post('/api/v1/admin/microcredentials', rec);
      expect(r.status, await r.clone().text()).toBe(201);
    }
  });
  afterAll(async () => {
    await n?.close();
  });

  it('after a rotation, an independent checkStatus with default options answers right for old and new credentials', async () => {
    a1 = await h.issue(catalogue[0]!.code, 'Ana Antes Uno', 'ana1@correo.example.cl');
    a2 = await h.issue(catalogue[1]!.code, 'Ana Antes Dos', 'ana2@correo.example.cl');
    k1 = issuerOf(a1.credential);
    expect(setPurposes(await independentCheckStatus(a1.credential))).toEqual([]);

    const rot = await h.rotate();
    k2 = rot.newKeyId;
    expect(rot.oldKeyId).toBe(k1);
    b = await h.issue(catalogue[0]!.code, 'Beto Después', 'beto@correo.example.cl');
    expect(issuerOf(b.credential)).toBe(k2);

    // revoking an old credential re-publishes its list signed by the old key: its issuer stays the credential's
    await h.act(a1.id, 'revoke');
    for (const url of statusUrls(a1.credential)) expect(await listIssuer(url)).toBe(k1);
    for (const url of statusUrls(b.credential)) expect(await listIssuer(url)).toBe(k2);
    expect(setPurposes(await independentCheckStatus(a1.credential))).toEqual(['revocation']);
    expect(setPurposes(await independentCheckStatus(a2.credential))).toEqual([]);
    expect(setPurposes(await independentCheckStatus(b.credential))).toEqual([]);

    // and every other way round: an old one suspended, the new one revoked
    await h.act(a2.id, 'suspend');
    await h.act(b.id, 'revoke');
    expect(setPurposes(await independentCheckStatus(a1.credential))).toEqual(['revocation']);
    // OB 3.0 allows one status entry (revocation): the suspension bit is in the paired list, which the network's
    // verifiers read and which stays signed by the credential's key; an outside checkStatus sees it not revoked
    expect(setPurposes(await independentCheckStatus(a2.credential))).toEqual([]);
    expect(await listIssuer(pairedSuspensionListUrl(statusUrls(a2.credential)[0]!)!)).toBe(k1);
    expect(setPurposes(await independentCheckStatus(b.credential))).toEqual(['revocation']);

    // this node's verifier agrees
    expect(check(await h.verify(a1.credential), 'status').reason).toContain('revoked');
    expect(check(await h.verify(a2.credential), 'status').reason).toContain('suspended');
    expect(check(await h.verify(b.credential), 'status').reason).toContain('revoked');
    expect(check(await h.verify(a1.credential), 'key_valid_at_issuance').status).toBe('ok');
  });

  it('the issuer learners see: a new key id at each rotation, the same institution and name, followed through the registry', async () => {
    const oldIssuer = a2.credential.issuer;
    const newIssuer = b.credential.issuer;
    expect(newIssuer.id).not.toBe(oldIssuer.id);
    expect(newIssuer.name).toEqual(oldIssuer.name);
    expect(newIssuer.otherIdentifier).toEqual(oldIssuer.otherIdentifier);
    expect(newIssuer.otherIdentifier).toEqual([expect.objectContaining({ identifier: n.did })]);
    // a relying party resolves either key id to the same institution, whose document lists every key with its dates
    for (const key of [k1, k2]) {
      const d = await h.getJson(`/api/v1/dids/${encodeURIComponent(key)}`, {});
      expect(d.registry.issuerKey.institution).toBe(n.did);
    }
    const inst = await h.getJson(`/api/v1/institutions/${encodeURIComponent(n.did)}`, {});
    const keys = new Map((inst.issuerKeys as { keyId: string; revokedAt: string | null; revocationReason: string | null }[]).map((k) => [k.keyId, k]));
    expect(keys.get(k1)?.revocationReason).toBe('rotated');
    expect(keys.get(k2)?.revokedAt).toBeNull();
    // this node's verifier names the same institution for both
    const r1 = await h.verify(a2.credential);
    const r2 = await h.verify(b.credential);
    expect(r1.issuer?.did).toBe(n.did);
    expect(r2.issuer?.did).toBe(n.did);
    expect([r1.issuer?.keyId, r2.issuer?.keyId]).toEqual([k1, k2]);
  });

  it('a revoked credential can be issued again; while one is in force a second issuance is still refused (409)', async () => {
    const email = 'fernanda@correo.example.cl';
    const f = await h.issue(catalogue[2]!.code, 'Fernanda Revocada', email);
    const again = () => h.post('/api/v1/admin/credentials', { microcredential: catalogue[2]!.code, learner: { name: 'Fernanda Revocada', email } });
    expect((await again()).status).toBe(409);
    await h.act(f.id, 'revoke', 'error en la calificación');
    const g = await h.issue(catalogue[2]!.code, 'Fernanda Revocada', email);
    expect(g.id).not.toBe(f.id);
    expect((await h.verify(g.credential)).verified).toBe(true);
    expect(check(await h.verify(f.credential), 'status').status).toBe('failed');
    expect((await again()).status).toBe(409);
    // b (new key) was revoked in the first test: its learner can be issued the microcredential again too
    await h.issue(catalogue[0]!.code, 'Beto Después', 'beto@correo.example.cl');
  });

  it('the admin list filters by issuer key, status and issuance date range, and refuses bad filters', async () => {
    const ids = async (qs: string) => ((await h.getJson(`/api/v1/admin/credentials?${qs}&limit=500`)).items as { id: string }[]).map((x) => x.id).sort();
    expect(await ids(`issuerKey=${encodeURIComponent(k1)}`)).toEqual([a1.id, a2.id].sort());
    expect(await ids(`issuerKey=${encodeURIComponent(k1)}&status=revoked`)).toEqual([a1.id]);
    expect(await ids(`issuerKey=${encodeURIComponent(k1)}&status=suspended`)).toEqual([a2.id]);
    expect(await ids(`issuerKey=${encodeURIComponent(k1)}&status=active`)).toEqual([]);
    const k2Active = await ids(`issuerKey=${encodeURIComponent(k2)}&status=active`);
    expect(k2Active).not.toContain(b.id);
    expect(k2Active.length).toBe(2); // the re-issued Fernanda and Beto
    const from = await ids(`issuedFrom=${encodeURIComponent(b.issuedAt)}`);
    expect(from).toContain(b.id);
    expect(from).not.toContain(a2.id);
    const before = await ids(`issuedTo=${encodeURIComponent(b.issuedAt)}`);
    expect(before).toEqual([a1.id, a2.id].sort());
    const page = await h.getJson(`/api/v1/admin/credentials?issuerKey=${encodeURIComponent(k1)}&limit=1`);
    expect(page.total).toBe(2);
    expect(page.items).toHaveLength(1);
    for (const bad of ['status=bogus', 'issuedFrom=ayer', 'issuerKey=did:web:example.org', 'limit=diez', 'unknown=1', 'status[a]=revoked'])
      expect(await h.status(`/api/v1/admin/credentials?${bad}`), bad).toBe(400);
  });

  it('a rotated key declared compromised later: its lists are re-signed by the current key, never again by it', async () => {
    const r = await h.post('/api/v1/admin/keys/compromise', { keyId: k1, since: a2.issuedAt, note: 'copia de la clave encontrada' });
    expect(r.status, await r.clone().text()).toBe(200);
    const out = (await r.json()) as { resignedLists: string[] };
    expect(out.resignedLists.length).toBeGreaterThanOrEqual(2);
    for (const url of statusUrls(a1.credential)) expect(await listIssuer(url)).toBe(k2);
    const inst = await h.getJson(`/api/v1/institutions/${encodeURIComponent(n.did)}`, {});
    expect((inst.issuerKeys as { keyId: string; revocationReason: string }[]).find((k) => k.keyId === k1)?.revocationReason).toBe('compromised');
    // the documented consequence: a standard verifier can no longer match the list's issuer to the old credential's
    const ind = await independentCheckStatus(a2.credential);
    expect(ind.verified).toBe(false);
    expect(ind.error?.message).toMatch(/[Ii]ssuers/);
    // this node's verifier still reads the bits the institution's feed published
    expect(check(await h.verify(a2.credential), 'status').reason).toContain('suspended');
    // the current key cannot be declared compromised this way (it is rotated instead)
    expect((await h.post('/api/v1/admin/keys/compromise', { keyId: k2, since: new Date().toISOString() })).status).toBe(400);
  });

  it('a compromise declared by another process that stopped before re-signing: the running node re-signs at its next signature', async () => {
    // the rotation entries and the key file only, as a CLI killed before its re-signing step leaves them
    const k3 = await withServices(n.dir, {}, (s) => s.institution.rotateIssuerKey({ compromisedSince: new Date() }).newKeyId);
    for (const url of statusUrls(b.credential)) expect(await listIssuer(url)).toBe(k2);
    const next = await h.issue(catalogue[1]!.code, 'Después del Robo', 'robo@correo.example.cl');
    expect(next.issuerKey).toBe(k3);
    const deadline = Date.now() + 30_000;
    for (const url of statusUrls(b.credential)) {
      while ((await listIssuer(url)) !== k3) {
        if (Date.now() > deadline) throw new Error(`${url} is still signed by the compromised key`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
});

describe('compromise declared from the CLI against a running node', () => {
  let n: TestNode;
  const h = client(() => n);
  let c: Issued;
  let d: Issued;
  let e: Issued;
  let g: Issued;
  let k1: string;
  let k2: string;
  let k3: string;

  beforeAll(async () => {
    n = await startTestNode({ name: 'Instituto Profesional de Prueba', country: 'CL' });
    for (const rec of catalogue.slice(0, 3)) {
      const r = await h.post('/api/v1/admin/microcredentials', rec);
      expect(r.status, await r.clone().text()).toBe(201);
    }
  });
  afterAll(async () => {
    await n?.close();
  });

  it('the running node picks up the new key without a restart and never signs with the compromised one again', async () => {
    c = await h.issue(catalogue[0]!.code, 'Carla Comprometida', 'carla@correo.example.cl');
    d = await h.issue(catalogue[1]!.code, 'Diego Comprometido', 'diego@correo.example.cl');
    g = await h.issue(catalogue[2]!.code, 'Gabriel Comprometido', 'gabriel@correo.example.cl');
    k1 = issuerOf(c.credential);
    const headBefore = (await h.getJson(`/api/v1/feeds/${encodeURIComponent(n.did)}?limit=1`, {})).head.seq as number;

    const since = new Date().toISOString();
    const cli = await mochila('keys', 'rotate', '--dir', n.dir, '--compromised-since', since, '--note', 'portátil robado');
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { newKeyId: string; oldKeyId: string; resignedLists: string[] };
    expect(out.oldKeyId).toBe(k1);
    k2 = out.newKeyId;
    // the CLI re-signed the old key's lists with the new key
    expect(out.resignedLists.length).toBeGreaterThanOrEqual(2);
    for (const url of statusUrls(c.credential)) expect(await listIssuer(url)).toBe(k2);

    // the running node, not restarted, signs with the new key
    expect((await h.getJson('/api/v1/node', {})).issuerKey).toBe(k2);
    e = await h.issue(catalogue[2]!.code, 'Elena Nueva', 'elena@correo.example.cl');
    expect(issuerOf(e.credential)).toBe(k2);
    expect(e.issuerKey).toBe(k2);
    expect((await h.verify(e.credential)).verified).toBe(true);
    // a revocation of a compromised key's credential is published signed by the current key
    await h.act(d.id, 'revoke');
    for (const url of statusUrls(d.credential)) expect(await listIssuer(url)).toBe(k2);
    expect(check(await h.verify(d.credential), 'status').reason).toContain('revoked');
    // issued before the compromise date: its date is the signer's claim, so it is no longer vouched for (re-issue it)
    expect(check(await h.verify(c.credential), 'key_valid_at_issuance').status).toBe('unchecked');

    // nothing the node published after the rotation is signed by the compromised key
    const feed = await h.getJson(`/api/v1/feeds/${encodeURIComponent(n.did)}?from=${headBefore + 1}&limit=1000`, {});
    const lists = (feed.entries as { type: string; body: { credential?: Cred } }[]).filter((x) => x.type === 'status-list');
    expect(lists.length).toBeGreaterThanOrEqual(3);
    for (const x of lists) expect(issuerOf(x.body.credential!)).not.toBe(k1);
  });

  it('refuses to sign when its current key was declared compromised by another process and no newer key is held', async () => {
    // e.g. an operator declared the key compromised from another copy of the node's folder, without rotating
    await withServices(n.dir, {}, async (s) => {
      s.feed.append('issuer-key-revocation', { keyId: k2, reason: 'compromised', revokedAt: new Date().toISOString() });
    });
    const r = await h.post('/api/v1/admin/credentials', { microcredential: catalogue[0]!.code, learner: { name: 'Nadie', email: 'nadie@correo.example.cl' } });
    expect(r.status).toBe(409);
    // in Spanish (no Accept-Language) the code's sentence, with the node's English specifics kept apart
    expect(((await r.json()) as { technicalDetail: string }).technicalDetail).toContain('compromised');
    // rotating (here over HTTP) restores issuing; the compromised key's lists move to the new key
    const rot = await h.rotate();
    k3 = rot.newKeyId;
    expect(rot.oldKeyId).toBe(k2);
    expect(await h.post('/api/v1/admin/credentials/reissue', { issuerKey: k3 }).then((x) => x.status)).toBe(400);
    const f = await h.issue(catalogue[0]!.code, 'Nadie', 'nadie@correo.example.cl');
    expect(issuerOf(f.credential)).toBe(k3);
    expect(setPurposes(await independentCheckStatus(f.credential))).toEqual([]);
  });

  it("a compromised key's credentials are found by the filtered list and re-issued as a batch with the current key", async () => {
    const listed = await h.getJson(`/api/v1/admin/credentials?issuerKey=${encodeURIComponent(k1)}&status=active`);
    expect((listed.items as { id: string }[]).map((x) => x.id).sort()).toEqual([c.id, g.id].sort());
    // only what was issued in a date range: Carla, not Gabriel
    const r = await h.post('/api/v1/admin/credentials/reissue', { issuerKey: k1, issuedFrom: c.issuedAt, issuedTo: d.issuedAt });
    expect(r.status, await r.clone().text()).toBe(200);
    const out = (await r.json()) as { rows: { id: string; status: string; newId?: string }[]; reissued: number; failed: number; remaining: number };
    expect(out).toMatchObject({ reissued: 1, failed: 0, remaining: 0 });
    expect(out.rows[0]).toMatchObject({ id: c.id, status: 'reissued' });
    const fresh = (await h.getJson(`/api/v1/admin/credentials/${encodeURIComponent(out.rows[0]!.newId!)}`)) as Issued;
    expect(fresh.issuerKey).toBe(k3);
    expect(fresh.credential.awardedDate).toBe(c.credential.awardedDate);
    expect(fresh.credential.credentialSubject.identifier).toEqual(c.credential.credentialSubject.identifier);
    expect(fresh.credential.credentialSubject.achievement.id).toBe(c.credential.credentialSubject.achievement.id);
    const report = await h.verify(fresh.credential);
    expect(report.verified, JSON.stringify(report.checks)).toBe(true);
    expect(setPurposes(await independentCheckStatus(fresh.credential))).toEqual([]);
    const old = (await h.getJson(`/api/v1/admin/credentials/${encodeURIComponent(c.id)}`)) as Issued;
    expect(old.status.revoked).toBe(true);
    expect(old.replacedBy).toBe(fresh.id);
    expect(check(await h.verify(c.credential), 'status').reason).toContain('revoked');
    // the network is told why: re-issued (the reason category 'superseded', never the new credential's id)
    expect((check(await h.verify(c.credential), 'status') as { statusChange?: unknown }).statusChange).toMatchObject({ purpose: 'revocation', reason: 'superseded' });
    // a re-issued (revoked) credential is not re-issued again
    expect((await h.post(`/api/v1/admin/credentials/${encodeURIComponent(c.id)}/reissue`, {})).status).toBe(409);

    // a learner holding a credential of a compromised key (Gabriel, k1) can simply be issued a new one: it replaces it
    const g2 = await h.issue(catalogue[2]!.code, 'Gabriel Comprometido', 'gabriel@correo.example.cl');
    expect(g2.issuerKey).toBe(k3);
    const gOld = (await h.getJson(`/api/v1/admin/credentials/${encodeURIComponent(g.id)}`)) as Issued;
    expect(gOld.status.revoked).toBe(true);
    expect(gOld.replacedBy).toBe(g2.id);
    expect((check(await h.verify(g.credential), 'status') as { statusChange?: unknown }).statusChange).toMatchObject({ purpose: 'revocation', reason: 'superseded' });
    // and now that one is in force, a further issuance is refused
    expect((await h.post('/api/v1/admin/credentials', { microcredential: catalogue[2]!.code, learner: { name: 'Gabriel Comprometido', email: 'gabriel@correo.example.cl' } })).status).toBe(409);
    // nothing of k1 is left in force; a second run re-issues nothing
    expect(await (await h.post('/api/v1/admin/credentials/reissue', { issuerKey: k1 })).json()).toMatchObject({ rows: [], remaining: 0 });

    // the CLI, against the running node's database, re-issues what k2 signed (Elena)
    const cli = await mochila('credential', 'reissue', '--dir', n.dir, '--key', k2);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toContain('re-issued 1, failed 0');
    const line = cli.stdout.split('\n').find((l) => l.startsWith(e.id))!;
    const eNewId = line.split('→')[1]!.trim().split(/\s+/)[0]!;
    const eNew = (await h.getJson(`/api/v1/admin/credentials/${encodeURIComponent(eNewId)}`)) as Issued;
    expect(eNew.issuerKey).toBe(k3);
    expect((await h.verify(eNew.credential)).verified).toBe(true);
    expect(setPurposes(await independentCheckStatus(eNew.credential, n.url))).toEqual([]);
    expect(((await h.getJson(`/api/v1/admin/credentials/${encodeURIComponent(e.id)}`)) as Issued).replacedBy).toBe(eNewId);
  });
});
